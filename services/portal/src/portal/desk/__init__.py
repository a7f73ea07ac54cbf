"""The equipment centre's desk: today's and tomorrow's pickups and returns, overdue loans,
finding a loan, handing it out and taking it back, and keeping the centre's catalogue."""
