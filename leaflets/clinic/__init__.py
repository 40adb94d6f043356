"""The clinic edition: a clinic's profile, its edition of a leaflet, and print packs."""
