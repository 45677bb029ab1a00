import Testing
@Test func mlModuleLinks() { #expect(Bool(true)) }
