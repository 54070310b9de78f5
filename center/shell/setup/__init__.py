"""A real center's own set-up without code: its description from a TOML file (`center init`,
`center config check`) and the imports of its register of groups and its bookings from CSV."""
