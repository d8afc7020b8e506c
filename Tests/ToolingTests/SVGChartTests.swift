import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import MAPKShards
@testable import MAPKTooling
import TestSupport
import XCTest

final class SVGChartTests: XCTestCase {
  func testNiceTicks() {
    let y = Axis(range: 0...0.73, integer: false, padSingle: false)
    XCTAssertEqual(y.ticks.map(y.label), ["0.0", "0.2", "0.4", "0.6", "0.8"])
    let k = Axis(range: 1...50, integer: true, padSingle: true)
    XCTAssertEqual(k.ticks.map(k.label), ["0", "10", "20", "30", "40", "50"])
    let few = Axis(range: 1...3, integer: true, padSingle: true)
    XCTAssertEqual(few.ticks.map(few.label), ["1", "2", "3"])
    let one = Axis(range: 10...10, integer: true, padSingle: true)
    XCTAssertEqual(one.ticks.map(one.label), ["9", "10", "11"])
    let counts = Axis(range: 0...9_930, integer: false, padSingle: false)
    XCTAssertEqual(counts.ticks.map(counts.label), ["0", "2000", "4000", "6000", "8000", "10000"])
    XCTAssertEqual(Axis.niceStep(0.12), 0.2)
    XCTAssertEqual(Axis.niceStep(3), 5)
    XCTAssertEqual(Axis.fixed(-0.05, 1), "-0.1")
    XCTAssertEqual(Axis.fixed(0.04, 1), "0.0")
  }

  func chart() -> SVGChart {
    var c = SVGChart(title: "MAP <&> \"k\"", subtitle: "a note", xLabel: "k", yLabel: "MAP@k")
    c.series = [
      .bars(name: "rows", bars: [SVGChart.Bar(lower: 0, upper: 0.5, value: 3), SVGChart.Bar(lower: 0.5, upper: 1, value: 1)]),
      .line(name: "MAP@k", points: [(1, 0.5), (2, .nan), (3, 0.25)]),
    ]
    c.integerX = true
    return c
  }

  func testTheDocumentIsWellFormedXMLWithTitlesAndTicks() throws {
    let svg = SVGChart.document([chart(), chart()], title: "page & title")
    final class Collector: NSObject, XMLParserDelegate {
      var texts: [String] = []
      var elements: [String: Int] = [:]
      var current = ""
      func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                  attributes: [String: String] = [:]) {
        elements[name, default: 0] += 1
        current = ""
      }
      func parser(_ p: XMLParser, foundCharacters s: String) { current += s }
      func parser(_ p: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text" { texts.append(current) }
      }
    }
    let parser = XMLParser(data: Data(svg.utf8))
    let collector = Collector()
    parser.delegate = collector
    XCTAssertTrue(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
    XCTAssertTrue(collector.texts.contains("page & title"))
    XCTAssertTrue(collector.texts.contains("MAP <&> \"k\""))
    XCTAssertTrue(collector.texts.contains("MAP@k"))
    XCTAssertTrue(collector.texts.contains("0.5"))  // a y tick
    XCTAssertEqual(collector.elements["rect"], 1 + 2 * (2 + 2))  // background; per chart 2 bars, 2 legend keys
    XCTAssertEqual(collector.elements["circle"], 2 * 2)  // the NaN point is left out
    XCTAssertEqual(collector.elements["path"], 2)
  }

  func testTheNaNPointBreaksTheLine() {
    let svg = chart().svg()
    let path = svg.components(separatedBy: "<path d=\"")[1].prefix { $0 != "\"" }
    XCTAssertEqual(path.filter { $0 == "M" }.count, 2, String(path))
    XCTAssertFalse(path.contains("L"), String(path))
  }

  func testItRendersWhereAnSVGRendererIsInstalled() throws {
    let renderer = "/usr/bin/rsvg-convert"
    guard FileManager.default.isExecutableFile(atPath: renderer) else { throw XCTSkip("no rsvg-convert") }
    let dir = try TemporaryDirectory()
    defer { dir.remove() }
    try chart().svg().write(toFile: dir.file("c.svg"), atomically: false, encoding: .utf8)
    let rendered = try ProcessRunner.run(URL(fileURLWithPath: renderer), [dir.file("c.svg"), "-o", dir.file("c.png")])
    XCTAssertEqual(rendered.status, 0, rendered.stderr)
    let png = try Data(contentsOf: URL(fileURLWithPath: dir.file("c.png")))
    XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47])
  }
}
