import DriftlineStore
import Testing
@testable import BatchStage

@Suite struct BatchErrorTests {
    /// A reference the store refuses is named once and the fix is given once (it was said twice).
    @Test func aStoreReferenceErrorIsNotWrappedTwice() {
        let store = StoreError.malformedReference(file: "references/iris/3.json", field: "bins", detail: "edges not increasing")
        let text = BatchError.reference(path: "references/iris/3.json", detail: store.description).description
        #expect(text.components(separatedBy: "driftline profile").count == 2)
        #expect(text.components(separatedBy: "references/iris/3.json").count == 2)
        let own = BatchError.reference(path: "references/iris/3.json", detail: "missing").description
        #expect(own == "reference references/iris/3.json: missing; re-create it with `driftline profile`")
    }
}
