"""Stand-ins for the services the product talks to, shared by the test tiers."""
