import DriftlineStore

/// References from `<store>/references/<endpoint>/<model_version>.json` (the store's `Reference` files).
struct StoreReferences: ReferenceLookup {
    let store: Store

    func reference(endpoint: String, modelVersion: String) throws -> ReferenceSnapshot? {
        guard let reference = try Reference.load(store: store, endpoint: endpoint, modelVersion: modelVersion) else { return nil }
        return ReferenceSnapshot(id: reference.referenceID, bins: reference.allBins)
    }
}
