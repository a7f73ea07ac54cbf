"""Equipment lending: free loans of units from equipment centres (reserve, pick up, return).

Item types and units come from `samspill.facilities` events (`handlers`); loans hold specific
units, and the exclusion constraint on `loan_unit` makes lending a unit twice in one period
impossible. Loan events go to `samspill.booking`, keyed by the centre id.
"""
