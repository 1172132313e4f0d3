// The DriftlineCore module; see DESIGN.md ("Layout").
