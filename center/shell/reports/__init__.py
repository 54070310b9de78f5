"""The council's reports: usage, income, maintenance and programmes, for a month or a fiscal year."""
