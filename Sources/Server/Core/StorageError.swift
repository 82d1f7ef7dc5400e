import Domain

/// What a repository refuses, in storage terms; `APIError.init(_:)` (the HTTP layer) says it to
/// the user.
enum StorageError: Error, Sendable, Equatable {
    /// The same idempotency key is being served by a request not finished yet.
    case idempotencyInProgress
    /// The idempotency key was used before for a different request.
    case idempotencyKeyReused
    /// Some of the selected bills are not the property's.
    case billsNotFound
    /// A selected bill is not open.
    case billNotSelectable(Competencia, SituacaoConta)
    /// A bill changed situation while the transaction ran.
    case billChanged
    case propertyNotFound
    /// A stored value could not be read back (a bug or a hand-edited row): logged, answered 500.
    case corrupt(String)
    /// The database did not give a connection in time, or lost it (it is down or restarting):
    /// answered 503 at once, never left hanging.
    case unavailable
}
