import Foundation
import HTTPRange
import Testing

/// ``HTTPClientConfiguration/userConfigured(timeout:retries:environment:)``: flags over the
/// environment over the defaults, and clear errors for values that cannot be used.
@Suite struct NetworkSettingsTests {
    @Test func defaultsWithoutFlagsOrEnvironment() throws {
        let configuration = try HTTPClientConfiguration.userConfigured(environment: [:])
        #expect(configuration.requestTimeout == 30)
        #expect(configuration.attemptDeadline == 120)
        #expect(configuration.retry.maxAttempts == 4)
    }

    @Test func environmentSetsTimeoutAndRetries() throws {
        let configuration = try HTTPClientConfiguration.userConfigured(
            environment: ["LAZYWHEEL_HTTP_TIMEOUT": " 2.5 ", "LAZYWHEEL_HTTP_RETRIES": "0"])
        #expect(configuration.requestTimeout == 2.5)
        #expect(configuration.retry.maxAttempts == 1)
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let configuration = try HTTPClientConfiguration.userConfigured(
            timeout: 7, retries: 5, environment: ["LAZYWHEEL_HTTP_TIMEOUT": "2", "LAZYWHEEL_HTTP_RETRIES": "0"])
        #expect(configuration.requestTimeout == 7)
        #expect(configuration.retry.maxAttempts == 6)
    }

    @Test func aLongTimeoutRaisesThePerAttemptLimit() throws {
        let configuration = try HTTPClientConfiguration.userConfigured(timeout: 600, environment: [:])
        #expect(configuration.attemptDeadline == 600)
    }

    @Test func applyingChangesOnlyWhatIsGiven() throws {
        var base = HTTPClientConfiguration()
        base.retry.maxAttempts = 7
        let changed = try base.applying(timeout: 1.5, retries: nil)
        #expect(changed.requestTimeout == 1.5)
        #expect(changed.attemptDeadline == 120)
        #expect(changed.retry.maxAttempts == 7)
        #expect(try base.applying(timeout: nil, retries: nil).retry == base.retry)
        #expect(throws: NetworkSettingError.self) { try base.applying(timeout: 86_401, retries: nil) }
    }

    @Test(arguments: [
        (Double?(0), Int?.none, [String: String](), "between 0 and 86400"),
        (Double?(-1), nil, [:], "between 0 and 86400"),
        (Double?(Double.infinity), nil, [:], "between 0 and 86400"),
        (nil, Int?(-1), [:], "between 0 and 100"),
        (nil, Int?(101), [:], "between 0 and 100"),
        (nil, nil, ["LAZYWHEEL_HTTP_TIMEOUT": "soon"], "LAZYWHEEL_HTTP_TIMEOUT=soon is not a number"),
        (nil, nil, ["LAZYWHEEL_HTTP_RETRIES": "2.5"], "LAZYWHEEL_HTTP_RETRIES=2.5 is not a whole number"),
    ])
    func unusableValuesAreRefused(timeout: Double?, retries: Int?, environment: [String: String], phrase: String) {
        #expect {
            try HTTPClientConfiguration.userConfigured(timeout: timeout, retries: retries, environment: environment)
        } throws: { error in
            (error as? NetworkSettingError)?.description.contains(phrase) == true
        }
    }
}
