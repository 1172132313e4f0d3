import DriftlineCore
import Foundation
import Testing
@testable import TailStage

/// The gauges `/metrics` shows for the latest closed window, checked against the records that went in.
@Suite struct WindowMetricsTests {
    @Test func latestClosedWindowGaugesDescribeItsRecords() async throws {
        let fixture = try TailFixture()
        let logger = try fixture.logger()
        // 150 records, one per second, in 100-second windows: window 0 (records 0..<100) closes when the
        // watermark reaches 100 s. Record i: x = i % 10, latency i ms (window 0: 0…99 ms), class a or c.
        for i in 0..<150 {
            try logger.log(features: [.number(Double(i % 10)), "eu"],
                           probabilities: i % 2 == 0 ? [0.6, 0.3, 0.1] : [0.1, 0.2, 0.7],
                           requestID: try RequestID("r\(i)"), latency: .milliseconds(i % 100),
                           timestamp: Timestamp(microsecondsSinceEpoch: TailFixture.t0 + Int64(i) * 1_000_000))
        }
        try await logger.flush()
        let tail = try fixture.tail(fixture.options(window: .seconds(100)))
        try tail.runOnce()
        tail.close()
        await logger.close()
        var exposition: [UInt8] = []
        tail.metrics.registry.emit(into: &exposition)
        let text = String(decoding: exposition, as: UTF8.self)
        func value(_ series: String) -> Double? {
            for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
                return Double(line.dropFirst(series.count + 1))
            }
            return nil
        }
        let labels = "endpoint=\"iris\",model_version=\"1\""
        #expect(value("driftline_tail_window_requests{\(labels)}") == 100, "\(text)")
        #expect(value("driftline_tail_window_errors{\(labels)}") == 0)
        #expect(value("driftline_tail_window_feature_mean{\(labels),feature=\"x\"}") == 4.5)
        #expect(value("driftline_tail_window_class_frequency{\(labels),class=\"a\"}") == 0.5)
        #expect(value("driftline_tail_window_class_frequency{\(labels),class=\"c\"}") == 0.5)
        // 100 latencies fit the sketch exactly: the quantiles are order statistics of 0…99 ms.
        let p50 = try #require(value("driftline_tail_window_latency_milliseconds{\(labels),quantile=\"0.5\"}"))
        let p95 = try #require(value("driftline_tail_window_latency_milliseconds{\(labels),quantile=\"0.95\"}"))
        let p99 = try #require(value("driftline_tail_window_latency_milliseconds{\(labels),quantile=\"0.99\"}"))
        #expect((49...50).contains(p50) && (94...95).contains(p95) && (98...99).contains(p99), "p50 \(p50) p95 \(p95) p99 \(p99)")
    }
}
