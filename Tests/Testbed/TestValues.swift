import SystemPackage

extension Result where Failure == Errno {
    /// The error, or nil on success.
    public var error: Errno? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Mdev UUIDs for tests that need a few distinct ones.
public let uuid1 = "5e1fa6f9-1b2a-4c3d-8e4f-0a1b2c3d4e5f"
public let uuid2 = "6f2ab7fa-2c3b-4d4e-9f50-1b2c3d4e5f60"
public let uuid3 = "7a3bc80b-3d4c-4e5f-a061-2c3d4e5f6071"
