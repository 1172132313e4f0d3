// `import Driftline` is all serving code needs: the logger and the vocabulary of DriftlineCore
// (ModelSchema, FeatureValue, RequestID, Timestamp, Label, ValidationError, ...).
@_exported import DriftlineCore
