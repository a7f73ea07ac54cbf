"""The activity guide's pages: `/aktiviteter` and publishing a series as a public activity."""
