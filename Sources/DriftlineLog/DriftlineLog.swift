// The DriftlineLog module; see DESIGN.md ("Layout").
