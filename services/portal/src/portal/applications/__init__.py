"""Season applications: the rounds open for application, a club's application with its
sections and results, waiting-list offers and the club's teams."""
