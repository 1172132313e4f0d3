import Testing
@testable import Profiles

@Suite struct ColumnProfileTests {
    static let bins = try! ReferenceBins(referenceID: "ref-1", edges: [1, 2, 3])

    @Test func mergingDifferentKindsColumnsOrBinsIsATypedError() throws {
        var numeric = ColumnProfile.numeric("x")
        try numeric.add(1)
        var categorical = ColumnProfile.categorical("x")
        try categorical.add(category: "a")
        #expect(throws: ProfileError.differentKinds(column: "x", "numeric", "categorical")) { try numeric.merge(categorical) }
        #expect(throws: ProfileError.differentColumns("x", "y")) { try numeric.merge(ColumnProfile.numeric("y")) }
        var binned = ColumnProfile.numeric("x", bins: Self.bins)
        try binned.add(2)
        #expect(throws: ProfileError.self) { try numeric.merge(binned) }
        var otherBins = ColumnProfile.numeric("x", bins: try ReferenceBins(referenceID: "ref-2", edges: [0]))
        try otherBins.add(2)
        #expect(throws: ProfileError.self) { try binned.merge(otherBins) }
        #expect(throws: ProfileError.self) { try categorical.add(1.0) }
        // An empty side without bins takes the other's.
        var empty = ColumnProfile.numeric("x")
        try empty.merge(binned)
        #expect(empty.numeric?.histogram == [0, 0, 1, 0])
    }

    @Test func mergedHistogramsAndCountsAdd() throws {
        var a = ColumnProfile.numeric("x", bins: Self.bins), b = ColumnProfile.numeric("x", bins: Self.bins)
        for x in [0.0, 1.0, 2.0] { try a.add(x) }
        for x in [3.0, 4.0, .nan] { try b.add(x) }
        try a.merge(b)
        #expect(a.numeric?.histogram == [1, 1, 1, 2] && a.count == 5 && a.missingCount == 1)
        #expect(a.numeric?.sketch.count == 5)
    }
}

@Suite struct CategoryCountsTests {
    @Test func valuesBeyondTheCapGoToOther() {
        var counts = CategoryCounts()
        for i in 0..<300 { counts.add("v\(i)") }
        #expect(counts.counts.count == 256 && counts.otherCount == 44 && counts.count == 300)
        #expect(counts.rowFields.categories.last == "__other__")
    }

    @Test func mergeKeepsTheLargestTiesByValue() {
        var a = CategoryCounts(), b = CategoryCounts()
        for i in 0..<200 { a.add("a\(i)", count: Int64(i % 3 + 1)) }
        for i in 0..<200 { b.add("b\(i)", count: 2) }
        let before = a.count + b.count
        a.merge(b)
        #expect(a.counts.count == 256 && a.count == before && a.otherCount > 0)
        // 66 values of count 3 survive, then ties at 2 by value: all "a…" with count 2 (67) and "b0"… sorted.
        let kept = a.sortedCounts()
        #expect(kept.first?.count == 3 && kept.last?.count == 2)
        #expect(kept.filter { $0.count == 3 }.count == 66)
        let twos = kept.filter { $0.count == 2 }.map(\.value)
        #expect(twos == twos.sorted())
    }

    @Test func valuesBeyondTheCapKeepTheirNamesUpToTheLimit() throws {
        var counts = CategoryCounts()
        for i in 0..<256 { counts.add("v\(i)", count: 10) }
        counts.add("new-a", count: 7)
        counts.add("new-b", count: 3)
        counts.add("new-a", count: 2)
        for i in 0..<40 { counts.add("tail\(i)") }        // 30 of them fit beside new-a and new-b
        #expect(counts.otherCount == 52)
        #expect(counts.namedOther.count == CategoryCounts.namedOtherCapacity)
        #expect(counts.sortedNamedOther().prefix(2).map(\.value) == ["new-a", "new-b"])
        #expect(counts.namedOther["new-a"] == 9)
        // The row keeps them; reading it back gives the same counts.
        let fields = try #require(counts.otherRowFields)
        let back = try CategoryCounts(categories: counts.rowFields.categories, counts: counts.rowFields.counts, missingCount: 0,
                                      otherCategories: fields.categories, otherCounts: fields.counts)
        #expect(back == counts)
    }

    @Test func namedOthersMergeSymmetrically() {
        func part(_ seed: Int) -> CategoryCounts {
            var counts = CategoryCounts()
            for i in 0..<256 { counts.add("v\(i)", count: 100) }
            for i in 0..<50 { counts.add("x\((i * 7 + seed) % 60)", count: Int64(1 + (i + seed) % 5)) }
            return counts
        }
        // Merging two parts is symmetric (beyond the caps, a chain of merges depends on its order, as the main
        // counts do: readers and compaction merge partial rows in one fixed order, `PartialRows`).
        var ab = part(1), ba = part(2)
        ab.merge(part(2))
        ba.merge(part(1))
        #expect(ab == ba)
        #expect(ab.namedOther.values.reduce(0, +) <= ab.otherCount)
        #expect(ab.namedOther.count == CategoryCounts.namedOtherCapacity)
    }

    @Test func namedOthersMustFitInOther() {
        #expect(throws: ProfileError.self) {
            try CategoryCounts(categories: ["a", "__other__"], counts: [1, 2], missingCount: 0, otherCategories: ["z"], otherCounts: [3])
        }
    }

    @Test func binCountsPutEverythingUnknownInUnseen() {
        var counts = CategoryCounts()
        for value in ["a", "b", "z", "__other__"] { counts.add(value) }
        #expect(counts.binCounts(referenceCategories: ["a", "c"]) == [1, 0, 3])
    }
}

@Suite struct DerivedColumnsTests {
    @Test func multiclassArgMaxIsFirstOnTies() {
        let derived = DerivedColumns.classify(probabilities: [0.4, 0.4, 0.2])
        #expect(derived?.predictedIndex == 0 && derived?.pred1 == 0.4 && derived?.spread12 == 0)
        #expect(DerivedColumns.classify(probabilities: []) == nil)
        #expect(DerivedColumns.classify(probabilities: [1.0])?.spread12 == 1.0)
    }

    @Test func binaryUsesTheThresholdOnThePositiveClass() {
        #expect(DerivedColumns.classify(probabilities: [0.7, 0.3], threshold: 0.3)?.predictedIndex == 1)
        #expect(DerivedColumns.classify(probabilities: [0.71, 0.29], threshold: 0.3)?.predictedIndex == 0)
        #expect(DerivedColumns.classify(probabilities: [0.4, 0.6])?.predictedIndex == 1)
    }

    @Test func namesAndResiduals() {
        #expect(DerivedColumns.probabilityColumn("setosa") == ":proba:setosa")
        #expect(DerivedColumns.confusionValue(label: "a", prediction: "b") == "a|b")
        let r = DerivedColumns.residuals(prediction: 2, label: 5)
        #expect(r.residual == -3 && r.absoluteResidual == 3)
    }
}
