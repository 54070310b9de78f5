"""The center's own programmes: flower-bed volunteer days (花壇づくり) and exercise-video screenings."""
