// The TailStage module; see DESIGN.md ("Layout").
