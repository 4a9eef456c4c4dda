"""Game-day drills: break the practice target on purpose and measure what warroom does."""
