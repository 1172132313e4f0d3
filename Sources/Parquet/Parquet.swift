// The Parquet module; see DESIGN.md ("Layout").
