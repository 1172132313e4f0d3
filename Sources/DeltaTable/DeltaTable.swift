// The DeltaTable module; see DESIGN.md ("Layout").
