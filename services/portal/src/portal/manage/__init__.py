"""The facility manager's pages: a site with its spaces and requests, release windows,
closures with a preview of what they cancel, approvals and the caretaker's week grid."""
