/// numpy's pairwise summation of float64 (`np.sum`), reproduced step for step so that averages
/// computed here equal scikit-learn's bit for bit: sequential below 8 values, eight accumulators up
/// to 128, halves (cut at a multiple of 8) above.
enum PairwiseSum {
    static func sum(_ values: ArraySlice<Double>) -> Double {
        let n = values.count
        let start = values.startIndex
        if n < 8 {
            var result = 0.0
            for value in values { result += value }
            return result
        }
        if n <= 128 {
            var r = (0..<8).map { values[start + $0] }
            var i = 8
            while i < n - n % 8 {
                for j in 0..<8 { r[j] += values[start + i + j] }
                i += 8
            }
            var result = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
            while i < n {
                result += values[start + i]
                i += 1
            }
            return result
        }
        var half = n / 2
        half -= half % 8
        return sum(values[start..<(start + half)]) + sum(values[(start + half)...])
    }

    static func sum(_ values: [Double]) -> Double { sum(values[...]) }
}
