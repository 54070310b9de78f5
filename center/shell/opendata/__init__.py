"""Open data for the city: the center's public events (イベント一覧) and its facilities
(公共施設一覧) as CSV in the 自治体標準オープンデータセット formats, under CC BY 4.0.

`standard` holds the column lists and the CSV encoding, `events` and `facilities` build the rows
from the domains' public readers, `web` serves /opendata and the two CSV files."""
