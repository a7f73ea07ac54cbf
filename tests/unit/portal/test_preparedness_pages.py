"""The preparedness pages' logic: the club's form as lines and back (the 24/7 contact never
prefilled), the requisition form's checks, and the overview joined with the requisitions."""

from __future__ import annotations

from portal.domain.preparedness import (
    oslo_instant,
    parse_volunteers,
    requisitioned_ids,
    requisitioned_sites,
    volunteers_text,
)
from portal.preparedness.schemas import PreparednessForm, RequisitionForm, SitePreparednessForm


def test_volunteers_are_lines_of_skill_and_count():
    counts, bad = parse_volunteers("Førstehjelp: 4\n\n  Sjåfør : 2\nmange folk\nKokk: x")
    assert counts == {"Førstehjelp": 4, "Sjåfør": 2}
    assert bad == ["mange folk", "Kokk: x"]
    assert parse_volunteers(volunteers_text(counts))[0] == counts


def test_the_form_never_shows_the_contact_and_keeps_it_unless_told():
    form = PreparednessForm.of(
        {"volunteers": {"Førstehjelp": 4}, "equipment": ["Telt"], "contact_24_7_registered": True}
    )
    assert form.contact_name == ""
    assert "contact_24_7" not in form.body()
    removing = PreparednessForm.parse({"remove_contact": "on"})
    assert removing.body()["contact_24_7"] is None
    replacing = PreparednessForm.parse({"contact_name": "Vakt", "contact_phone": "91234567"})
    assert replacing.body()["contact_24_7"] == {"name": "Vakt", "phone": "91234567"}
    assert PreparednessForm.parse({"contact_name": "Vakt"}).problems() == {
        "contact_phone": "Give both the name and the phone number of the 24/7 contact."
    }
    assert "volunteers" in PreparednessForm.parse({"volunteers": "mange"}).problems()


def test_requisition_times_are_oslo_instants():
    assert oslo_instant("2027-01-16T08:00") == "2027-01-16T08:00:00+01:00"
    assert oslo_instant("2027-07-16T08:00") == "2027-07-16T08:00:00+02:00"
    assert oslo_instant("nonsense") is None
    form = RequisitionForm.parse({"site_id": "", "start": "x", "end": "", "reason": " "})
    assert set(form.problems()) == {"site_id", "start", "reason"}


def test_the_overview_marks_the_active_requisitions():
    districts = [{"sites": [{"site_id": "s1", "beds": 40}, {"site_id": "s2"}]}]
    requisitions = [
        {"site_id": "s1", "start": "2", "lifted": False},
        {"site_id": "s2", "start": "1", "lifted": True},
        {"site_id": "s3", "start": "1"},
    ]
    shown = requisitioned_sites(requisitions, districts)
    assert [item.requisition["site_id"] for item in shown] == ["s3", "s1"]
    assert shown[0].site is None
    assert shown[1].site == {"site_id": "s1", "beds": 40}
    assert requisitioned_ids(requisitions) == {"s1", "s3"}


def test_a_sites_facts_are_read_as_typed_and_sent_as_numbers():
    form = SitePreparednessForm.parse(
        {"evacuation_capacity": "1 200", "beds": "", "kitchen": "on", "water": "on", "notes": " "}
    )
    assert not form.errors
    assert form.body() == {
        "evacuation_capacity": 1200,
        "beds": 0,
        "kitchen": True,
        "backup_power": False,
        "water": True,
        "notes": None,
    }


def test_a_sites_facts_keep_what_was_typed_when_wrong():
    form = SitePreparednessForm.parse({"evacuation_capacity": "mange", "beds": "-3"})
    assert set(form.errors) == {"evacuation_capacity", "beds"}
    assert form.evacuation_capacity == "mange"
    assert form.beds == "-3"


def test_a_site_without_facts_gives_an_empty_form():
    assert SitePreparednessForm.of({"preparedness": None}) == SitePreparednessForm()
    facts = {"evacuation_capacity": 300, "beds": 40, "kitchen": True, "notes": "Gymsal"}
    form = SitePreparednessForm.of({"preparedness": facts})
    assert (form.evacuation_capacity, form.beds, form.kitchen, form.notes) == (
        "300",
        "40",
        True,
        "Gymsal",
    )
