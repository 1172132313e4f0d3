// The Driftline module; see DESIGN.md ("Layout").
