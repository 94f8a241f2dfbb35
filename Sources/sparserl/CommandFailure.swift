/// A command that cannot do what was asked: the message is printed as `Error: <message>` and the exit status is 1
/// (unlike `ValidationError`, which is for wrong arguments and prints the usage too).
struct CommandFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
