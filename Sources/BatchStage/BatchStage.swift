// The BatchStage module; see DESIGN.md ("Layout").
