// Usage: node parse_ics.mjs FILE.ics [MAX_OCCURRENCES]
// Prints JSON: the calendar's properties and every expanded occurrence, with
// instants in UTC as ical.js computes them from the feed's own VTIMEZONE.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const DEFAULT_MAX_OCCURRENCES = 1000;

function registerTimezones(vcalendar) {
  for (const vtimezone of vcalendar.getAllSubcomponents("vtimezone")) {
    const zone = new ICAL.Timezone(vtimezone);
    // Replace any built-in definition so the embedded zone is the one trusted.
    ICAL.TimezoneService.remove(zone.tzid);
    ICAL.TimezoneService.register(zone);
  }
}

function utcIso(time) {
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

function occurrence(event, details) {
  const item = details.item;
  return {
    uid: event.uid,
    summary: item.summary,
    location: item.location,
    status: item.component.getFirstPropertyValue("status"),
    sequence: item.sequence,
    start: utcIso(details.startDate),
    end: utcIso(details.endDate),
    start_tzid: details.startDate.zone ? details.startDate.zone.tzid : null,
    // Wall times as written; ical.js converts UTC to local time with the offset
    // of the UTC fields read as local time, off by an hour next to a switch.
    local_start: details.startDate.toString(),
    local_end: details.endDate.toString(),
    recurrence_id: utcIso(details.recurrenceId),
  };
}

function expand(event, maxOccurrences) {
  if (!event.isRecurring()) {
    // getOccurrenceDetails would add the exact duration to the start's wall time,
    // which is off by the switch hour for an event that spans a DST change.
    const details = { item: event, startDate: event.startDate, endDate: event.endDate };
    return [occurrence(event, { ...details, recurrenceId: event.startDate })];
  }
  const result = [];
  const iterator = event.iterator();
  for (let next = iterator.next(); next && result.length < maxOccurrences; next = iterator.next()) {
    result.push(occurrence(event, event.getOccurrenceDetails(next)));
  }
  return result;
}

function main() {
  const [path, maxArg] = process.argv.slice(2);
  if (!path) {
    console.error("usage: node parse_ics.mjs FILE.ics [MAX_OCCURRENCES]");
    process.exit(2);
  }
  const maxOccurrences = maxArg ? Number(maxArg) : DEFAULT_MAX_OCCURRENCES;
  const vcalendar = new ICAL.Component(ICAL.parse(readFileSync(path, "utf8")));
  registerTimezones(vcalendar);

  const vevents = vcalendar.getAllSubcomponents("vevent");
  const masters = new Map();
  for (const vevent of vevents.filter((v) => !v.hasProperty("recurrence-id"))) {
    masters.set(vevent.getFirstPropertyValue("uid"), new ICAL.Event(vevent));
  }
  for (const vevent of vevents.filter((v) => v.hasProperty("recurrence-id"))) {
    const master = masters.get(vevent.getFirstPropertyValue("uid"));
    if (!master) throw new Error("override without a master event");
    master.relateException(vevent);
  }

  const occurrences = [];
  for (const event of masters.values()) occurrences.push(...expand(event, maxOccurrences));
  const calendar = {};
  for (const name of ["name", "x-wr-calname", "x-wr-timezone", "refresh-interval", "method"]) {
    const value = vcalendar.getFirstPropertyValue(name);
    calendar[name] = value === null ? null : value.toString();
  }
  process.stdout.write(JSON.stringify({ calendar, occurrences }, null, 2) + "\n");
}

main();
