/// A command that could not do its work: printed as "Error: <message>" without the usage
/// text that argument mistakes get.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
