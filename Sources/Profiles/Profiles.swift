// The Profiles module; see DESIGN.md ("Layout").
