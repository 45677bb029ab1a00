import Foundation
import ML
import OnlineLearning
import Primitives
import Testing

/// One reading message, in the default format.
func readingJSON(_ timestamp: Double, volts: [Double] = [230, 230, 230], amps: [Double], pf: [Double] = [1, 1, 1]) -> String {
    func list(_ values: [Double]) -> String { "[" + values.map { String($0) }.joined(separator: ",") + "]" }
    return "{\"timestamp\": \(timestamp), \"voltage\": \(list(volts)), \"current\": \(list(amps)), \"power_factor\": \(list(pf))}"
}

@Suite struct ReadingDecoderTests {
    @Test func powerIsTheSumOverPhasesOfVoltageTimesCurrentTimesPowerFactor() {
        let message = readingJSON(3600, volts: [230, 231, 229], amps: [10, 5, 2], pf: [0.9, 1, 0.5])
        let outcome = ReadingDecoder.decode(Array(message.utf8))
        #expect(outcome.dropped.isEmpty)
        #expect(outcome.readings == [Reading(timestamp: 3600, power: 230 * 10 * 0.9 + 231 * 5 * 1 + 229 * 2 * 0.5)])
    }

    @Test func badElementsOfAnArrayAreDroppedOneByOneWithTheirReason() {
        let message = "[" + [
            readingJSON(10, amps: [1, 1, 1]),
            "{\"timestamp\": 11, \"voltage\": [230], \"current\": [1, 2], \"power_factor\": [1]}",
            "{\"timestamp\": \"yesterday\", \"voltage\": [230], \"current\": [1], \"power_factor\": [1]}",
            "{\"voltage\": [230], \"current\": [1], \"power_factor\": [1]}",
            "17",
            "{\"timestamp\": 12, \"voltage\": [1e300], \"current\": [1e300], \"power_factor\": [1]}",
            readingJSON(13, amps: [2, 2, 2]),
        ].joined(separator: ",") + "]"
        let outcome = ReadingDecoder.decode(Array(message.utf8))
        #expect(outcome.readings.map(\.timestamp) == [10, 13])
        #expect(outcome.dropped == [.badPhases: 1, .badTimestamp: 1, .missingField: 1, .notObject: 1, .nonFinite: 1])
    }

    @Test func wholeMessagesThatAreNotReadings() {
        #expect(ReadingDecoder.decode(Array("{not json".utf8)).dropped == [.notJSON: 1])
        #expect(ReadingDecoder.decode(Array("\"text\"".utf8)).dropped == [.notObject: 1])
        #expect(ReadingDecoder.decode(Array("[]".utf8)).dropped == [.emptyMessage: 1])
        #expect(ReadingDecoder.decode([0xff, 0xfe]).dropped == [.notJSON: 1])
    }

    @Test func configuredFieldNames() {
        var fields = ReadingFields()
        fields.timestamp = "ts"
        fields.powerFactor = "pf"
        let message = "{\"ts\": \"2024-03-01T10:00:00Z\", \"voltage\": [200], \"current\": [3], \"pf\": [0.5]}"
        let outcome = ReadingDecoder.decode(Array(message.utf8), fields: fields)
        #expect(outcome.readings == [Reading(timestamp: 1_709_287_200, power: 300)])
        #expect(ReadingDecoder.decode(Array(message.utf8)).dropped == [.missingField: 1])
    }

    @Test func rfc3339Timestamps() {
        #expect(RFC3339.seconds("2024-03-01T10:00:00Z") == 1_709_287_200)
        #expect(RFC3339.seconds("2024-03-01T11:30:00+01:30") == 1_709_287_200)
        #expect(RFC3339.seconds("2024-03-01T08:00:00.250-02:00") == 1_709_287_200.25)
        #expect(RFC3339.seconds("1969-12-31T23:59:59Z") == -1)
        #expect(RFC3339.seconds("2024-02-29T00:00:00z") == 1_709_164_800)
        for bad in ["2024-03-01", "2024-13-01T00:00:00Z", "2024-03-01T10:00:00", "2024-03-01T10:00:00.Z", "2024-03-01T10:00:00Zjunk",
                    "2024-03-01T10:00:00+1:00", "x024-03-01T10:00:00Z"] {
            #expect(RFC3339.seconds(bad) == nil, "\(bad)")
        }
    }
}

@Suite struct HourlyAggregatorTests {
    @Test func outOfOrderInsideTheLatenessWindowIsAcceptedDuplicatesAndLateOnesAreNot() {
        var aggregator = HourlyAggregator(latenessSeconds: 600)
        #expect(aggregator.add(Reading(timestamp: 3600 + 10, power: 100)) == .accepted)
        #expect(aggregator.add(Reading(timestamp: 3600 + 3590, power: 300)) == .accepted)
        #expect(aggregator.add(Reading(timestamp: 7200 + 100, power: 50)) == .accepted)
        #expect(aggregator.closeReady().hours.isEmpty, "hour 1 stays open until 600 s past its end")
        #expect(aggregator.add(Reading(timestamp: 3600 + 20, power: 200)) == .accepted, "out of order, inside the window")
        #expect(aggregator.add(Reading(timestamp: 3600 + 20, power: 999)) == .duplicate)
        #expect(aggregator.add(Reading(timestamp: 7200 + 700, power: 70)) == .accepted)
        let closed = aggregator.closeReady()
        #expect(closed.hours.map(\.hour) == [1])
        #expect(closed.hours.first?.mean == 200)
        #expect(closed.hours.first?.count == 3)
        #expect(aggregator.add(Reading(timestamp: 3600 + 30, power: 1)) == .late)
        #expect(aggregator.lastClosedHour == 1)
    }

    @Test func holesAreReportedAsGapsWhenTheNextHourCloses() {
        var aggregator = HourlyAggregator(latenessSeconds: 0)
        _ = aggregator.add(Reading(timestamp: 0, power: 1))
        _ = aggregator.add(Reading(timestamp: 3600 * 5 + 1, power: 2))
        _ = aggregator.add(Reading(timestamp: 3600 * 6 + 1, power: 3))
        let closed = aggregator.closeReady()
        #expect(closed.hours.map(\.hour) == [0, 5])
        #expect(closed.gaps == [HourGap(first: 1, last: 4)])
        #expect(closed.gaps.first?.hours == 4)
        let forced = aggregator.closeReady(force: true)
        #expect(forced.hours.map(\.hour) == [6] && forced.gaps.isEmpty)
    }

    @Test func stateSurvivesAJSONRoundTrip() throws {
        var aggregator = HourlyAggregator(latenessSeconds: 60)
        _ = aggregator.add(Reading(timestamp: 5, power: 1.5))
        _ = aggregator.add(Reading(timestamp: 3700, power: 2.5))
        let decoded = try JSONDecoder().decode(HourlyAggregator.self, from: JSONEncoder().encode(aggregator))
        #expect(decoded == aggregator)
        var copy = decoded
        #expect(copy.add(Reading(timestamp: 5, power: 9)) == .duplicate)
    }
}

@Suite struct WindowTests {
    @Test func windowsNeverCrossAGapAndTheBufferKeepsItsCapacity() {
        var buffer = HourlyBuffer(capacity: 10)
        for hour in [0, 1, 2, 3, 5, 6, 7, 8, 9] as [Int64] { buffer.append(hour: hour, value: Double(hour)) }
        #expect(buffer.windowStarts(length: 3) == [0, 1, 4, 5, 6])
        #expect(buffer.windowStarts(length: 5) == [4])
        #expect(buffer.latestWindow(length: 5) == [5, 6, 7, 8, 9])
        #expect(buffer.latestWindow(length: 6) == nil, "hour 4 is missing")
        for hour in Int64(10)..<15 { buffer.append(hour: hour, value: Double(hour)) }
        #expect(buffer.count == 10 && buffer.hours.first == 5)
    }

    @Test func datasetCutsScaledInputsAndTargets() throws {
        let series: [Float] = (0..<8).map { Float($0) }
        let data = try WindowMaker.dataset(series, starts: [0, 3], window: 3, horizon: 2)
        #expect(data.inputs.shape == [2, 3, 1] && data.targets.shape == [2, 2])
        #expect(data.inputs.scalars == [0, 1, 2, 3, 4, 5])
        #expect(data.targets.scalars == [3, 4, 6, 7])
    }

    @Test func quantilesInterpolateLikeNumPy() {
        // numpy.quantile([4, 1, 3, 2, 10], [0.05, 0.5, 0.95]) = [1.2, 3.0, 8.8]
        let sample: [Double] = [4, 1, 3, 2, 10]
        #expect(abs(WindowMaker.quantile(sample, 0.05) - 1.2) < 1e-12)
        #expect(WindowMaker.quantile(sample, 0.5) == 3)
        #expect(abs(WindowMaker.quantile(sample, 0.95) - 8.8) < 1e-12)
        #expect(WindowMaker.quantile([7], 0.95) == 7)
    }
}

@Suite struct ServiceSpecTests {
    @Test func defaultsAndFields() throws {
        let spec = try OnlineServiceSpec(json: JSONValue.parse(Array(#"{"name": "house-1", "organization_id": "acme"}"#.utf8))!)
        #expect(spec.model == "energy-gru" && spec.sources == ["http"] && spec.window == 36 && spec.horizon == 24)
        #expect(spec.batch == .hours(24) && spec.company == "acme")
        let back = try OnlineServiceSpec(json: spec.json)
        #expect(back == spec)
    }

    @Test func refusalsNameTheField() {
        func field(_ text: String, company: String? = nil) -> String? {
            do { _ = try OnlineServiceSpec(json: JSONValue.parse(Array(text.utf8))!, company: company); return nil } catch let error as OnlineLearningError {
                return error.field
            } catch { return "?" }
        }
        #expect(field(#"{"organization_id": "a"}"#) == "name")
        #expect(field(#"{"name": "Bad Name", "organization_id": "a"}"#) == "name")
        #expect(field(#"{"name": "n"}"#) == "organization_id")
        #expect(field(#"{"name": "n", "organization_id": "a"}"#, company: "b") == "organization_id")
        #expect(field(#"{"name": "n", "organization_id": "a", "sources": ["ftp://x/y"]}"#) == "sources[0]")
        #expect(field(#"{"name": "n", "organization_id": "a", "batch": {"hours": 1, "readings": 5}}"#) == "batch")
        #expect(field(#"{"name": "n", "organization_id": "a", "transformer": {"horizon": 12}}"#) == "transformer.horizon")
        #expect(field(#"{"name": "n", "organization_id": "a", "model": "gpt"}"#) == "model")
        #expect(field(#"{"name": "n", "organization_id": "a", "snapshot": {"min_relative_improvement": 2}}"#) == "snapshot.min_relative_improvement")
        #expect(field(#"{"name": "n", "organization_id": "a", "colour": "red"}"#) == "colour")
        #expect(field(#"{"name": "n", "organization_id": "a", "sources": ["mqtt://127.0.0.1:1883/house/1", "kafka://h:9092/t", "http"]}"#) == nil)
    }
}
