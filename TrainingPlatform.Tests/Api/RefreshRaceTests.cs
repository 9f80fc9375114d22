using System.Security.Cryptography;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// A refresh that is still writing its new token when a revocation begins. A test-only trigger in this class's own
/// database holds the insert of the new refresh token at a gate (an advisory lock the test holds), the revocation runs
/// meanwhile and is seen waiting for the refresh's locks (so the two really overlapped), the gate opens, and afterwards
/// the token that rotation issued must be as dead as the rest of the session. The gate opens as soon as the overlap is
/// seen, so the revocation's wait never eats into the API's 5 s command timeout on a loaded machine.
/// </summary>
public class RefreshRaceTests(MailingApiFixture api) : IClassFixture<MailingApiFixture>
{
    private static readonly TimeSpan OverlapBound = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Revocations() => ["logout-all", "password change", "password reset"];

    [Theory]
    [MemberData(nameof(Revocations))]
    public async Task A_refresh_racing_a_revocation_does_not_survive_it(string revocation)
    {
        var account = await api.NewAccountAsync();
        using var anonymous = api.Anonymous();
        // The reset email's round trip happens before the race, so only the confirmation races the refresh.
        var resetToken = revocation == "password reset" ? await RequestResetAsync(anonymous, account.Email) : null;
        await using var delay = await DelayedInsertsAsync(account.Tokens.Refresh);

        var refreshing = anonymous.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = account.Tokens.Refresh });
        await delay.WaitUntilHeldAsync();
        var revoked = revocation switch
        {
            "logout-all" => account.Client.PostAsync("/api/v1/auth/logout", null),
            "password change" => account.Client.PostAsJsonAsync("/api/v1/password/change",
                new { currentPassword = account.Password, newPassword = "a brand new passphrase" }),
            "password reset" => anonymous.PostAsJsonAsync("/api/v1/password/reset/confirm",
                new { token = resetToken, newPassword = "the reset passphrase" }),
            _ => throw new ArgumentOutOfRangeException(nameof(revocation)),
        };
        await delay.WaitUntilBlockedAsync();
        await delay.OpenAsync();
        var refreshed = await refreshing;
        Assert.True((await revoked).IsSuccessStatusCode, $"{revocation}: {(await revoked).StatusCode}");

        // The rotation began before the revocation, so it may well have answered; what it issued must not work.
        if (refreshed.StatusCode == HttpStatusCode.OK)
        {
            var issued = (await refreshed.Content.ReadFromJsonAsync<TokenBody>())!;
            await (await anonymous.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = issued.Refresh })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }
        else
        {
            await refreshed.AssertProblemAsync(HttpStatusCode.Unauthorized);
        }
    }

    private async Task<string> RequestResetAsync(HttpClient anonymous, string email)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);
        var mail = await api.Mail.WaitForMessagesAsync(email, 1, TimeSpan.FromSeconds(30));
        return ResetEmails.Token(mail[^1]);
    }

    /// <summary>Makes every insert of a refresh token into the session of <paramref name="refresh"/> wait at a closed gate.</summary>
    private async Task<DelayedInserts> DelayedInsertsAsync(string refresh)
    {
        var gate = new NpgsqlConnection(api.ConnectionString);
        await gate.OpenAsync();
        await using var family = new NpgsqlCommand("SELECT family_id FROM refresh_tokens WHERE token_hash = @hash", gate);
        family.Parameters.AddWithValue("hash", SHA256.HashData(Encoding.UTF8.GetBytes(refresh)));
        var session = (Guid)(await family.ExecuteScalarAsync())!;
        var name = "test_delay_" + session.ToString("N");
        await using var create = new NpgsqlCommand(
            $"""
            SELECT pg_advisory_lock(hashtext('{name}'));
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock(hashtext('{name}')); RETURN NEW; END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON refresh_tokens
            FOR EACH ROW WHEN (NEW.family_id = '{session}') EXECUTE FUNCTION {name}();
            """, gate);
        await create.ExecuteNonQueryAsync();
        return new DelayedInserts(api.ConnectionString, gate, name);
    }

    private sealed class DelayedInserts(string connectionString, NpgsqlConnection gate, string name) : IAsyncDisposable
    {
        private const string AtGate = "datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'";

        /// <summary>Waits until a statement of the database waits at the gate: the rotation holds its locks.</summary>
        public async Task WaitUntilHeldAsync()
        {
            await Wait.UntilAsync(async () => await Rows.CountAsync(connectionString, "pg_stat_activity", AtGate) > 0,
                OverlapBound, "the refresh reaching the delayed insert");
        }

        /// <summary>
        /// Waits until a statement of the database waits for a row or transaction lock while the refresh still waits at
        /// the gate: the revocation has reached the rows the refresh holds, so the two transactions overlapped.
        /// </summary>
        public async Task WaitUntilBlockedAsync()
        {
            await Wait.UntilAsync(async () => await Rows.CountAsync(connectionString, "pg_stat_activity",
                "datname = current_database() AND wait_event_type = 'Lock' AND wait_event <> 'advisory'") > 0
                && await Rows.CountAsync(connectionString, "pg_stat_activity", AtGate) > 0,
                OverlapBound, "the revocation waiting for the held refresh's locks");
        }

        /// <summary>Lets the held insert land.</summary>
        public async Task OpenAsync()
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock(hashtext('{name}'))", gate);
            await unlock.ExecuteNonQueryAsync();
        }

        public async ValueTask DisposeAsync()
        {
            // Closing the gate's session releases its lock, should the test have failed before opening it.
            await gate.DisposeAsync();
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP TRIGGER {name} ON refresh_tokens; DROP FUNCTION {name}();", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
