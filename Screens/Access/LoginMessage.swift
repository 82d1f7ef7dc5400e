import API

/// What both login screens (customer and staff) get back: the login policy, then the session.
enum LoginMessage: CallResultMessage {
    case policy(Result<LoginPolicyInfo, APIFailure>)
    case login(Result<Components.Schemas.Session, APIFailure>)

    var failure: APIFailure? {
        switch self {
        case .policy(let r): return r.failure
        case .login(let r): return r.failure
        }
    }
}
