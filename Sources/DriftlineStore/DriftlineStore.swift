// The DriftlineStore module; see DESIGN.md ("Layout").
