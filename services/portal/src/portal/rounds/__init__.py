"""The municipality's side of the seasonal application rounds: creating a round, following its
applications, running and adjusting the allocation, accepting and publishing it, and the
waiting list after."""
