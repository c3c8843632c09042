"""A party's station engine, its estimate of the hub's clock, the demo's scripted parts."""
