"""How a loan's lines read in feeds and messages."""

from __future__ import annotations

from samspill.events import booking as bk


def loan_items(loan: bk.LoanState) -> list[str]:
    """One line per item type, `×n` when several units are lent."""
    items: list[str] = []
    for line in loan.lines:
        count = len(line.unit_ids)
        items.append(line.item_type_name if count <= 1 else f"{line.item_type_name} ×{count}")
    return items
