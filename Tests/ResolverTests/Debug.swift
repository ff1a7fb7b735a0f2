import Testing
@testable import Resolver
@Test func debugStats() throws {
    for n in [30, 60, 120] {
    var boto3: [Int: [(String, R)]] = [:]
    var botocore: [Int: [(String, R)]] = [:]
    for v in 1...n {
        boto3[v] = [("botocore", .singleton(v)), ("s3transfer", .atLeast(1))]
        botocore[v] = [("urllib3", .full)]
    }
    let universe = IntegerUniverse([
        "root": [0: [("boto3", .full), ("botocore", .lessThan(n/2)), ("urllib3", .full)]],
        "boto3": boto3, "botocore": botocore,
        "s3transfer": [1: [("botocore", .atLeast(10))], 2: [("botocore", .atLeast(2000))]],
        "urllib3": [1: [], 2: []],
    ])
    let solver = PubGrubSolver(provider: universe, root: "root", rootVersion: 0)
    let s = try solver.solve()
    print(n, s, solver.statistics)
    }
}
