namespace TrainingPlatform.Tests.Api;

/// <summary>
/// Sign-ins with the old password that have checked it and not yet written their session when a password change or
/// a reset runs. A test-only trigger in this class's own database makes each insert of a session of the account wait
/// for an advisory lock the test holds; the replacement starts once every sign-in is seen waiting on a lock (the
/// overlap), and the lock is let go once the replacement has finished or waits too. Afterwards no session the race
/// started may live, and the old password signs in no more. Likewise a sign-in that upgrades the stored hash (a second
/// API with more hash iterations) held just before its upgrade is written while the password is changed.
/// </summary>
public class PasswordRaceTests(MailingApiFixture api) : IClassFixture<MailingApiFixture>
{
    private const int SignIns = 3;
    private const string NewPassword = "an entirely different passphrase";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static TheoryData<string> Replacements() => ["password change", "password reset"];

    [Theory]
    [MemberData(nameof(Replacements))]
    public async Task Old_password_sign_ins_overlapping_a_replacement_keep_no_session(string replacement)
    {
        var account = await api.NewAccountAsync();
        using var anonymous = api.Anonymous();
        var resetToken = replacement == "password reset" ? await ResetTokenAsync(anonymous, account.Email) : null;
        await using var held = await HoldAsync(account.Id, "sessions", $"BEFORE INSERT ON sessions FOR EACH ROW WHEN (NEW.user_id = {account.Id})");

        var signIns = Enumerable.Range(0, SignIns)
            .Select(_ => anonymous.PostAsJsonAsync("/api/v1/token", new { email = account.Email, password = account.Password })).ToList();
        await Wait.UntilAsync(async () => await held.WaitingAsync() > 0 && await LockWaitersAsync() == SignIns, Bound,
            "every sign-in past its password check and waiting on a lock, one of them in the held insert");
        var replacing = resetToken is null
            ? account.Client.PostAsJsonAsync("/api/v1/password/change", new { currentPassword = account.Password, newPassword = NewPassword })
            : anonymous.PostAsJsonAsync("/api/v1/password/reset/confirm", new { token = resetToken, newPassword = NewPassword });
        await Wait.UntilAsync(async () => replacing.IsCompleted || await LockWaitersAsync() > SignIns, Bound,
            "the replacement finished or waiting behind the sign-ins");
        await held.ReleaseAsync();

        using var replaced = await replacing;
        Assert.True(replaced.IsSuccessStatusCode, $"{replacement}: {replaced.StatusCode}");
        foreach (var signIn in signIns)
        {
            using var answer = await signIn;
            if (answer.StatusCode == HttpStatusCode.OK)
            {
                var tokens = (await answer.Content.ReadFromJsonAsync<TokenBody>())!;
                await (await anonymous.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = tokens.Refresh })).AssertProblemAsync(HttpStatusCode.Unauthorized);
            }
            else
            {
                await answer.AssertProblemAsync(HttpStatusCode.Unauthorized);
            }
        }
        await (await anonymous.PostAsJsonAsync("/api/v1/token", new { email = account.Email, password = account.Password }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        await api.SignInAsync(account.Email, NewPassword);
    }

    [Fact]
    public async Task A_hash_upgrade_racing_a_password_change_does_not_write_the_old_password_back()
    {
        var account = await api.NewAccountAsync();
        const string upgrading = "upgrading-hashes";
        await using var upgrader = await ApiServer.StartAsync(new Dictionary<string, string?>(ApiFixture.Settings)
        {
            ["Passwords:HashIterations"] = "2000",
        }, connectionString: api.ConnectionString + ";Application Name=" + upgrading);
        using var viaUpgrader = upgrader.CreateHttpClient();
        // Every update of users from the upgrading API waits, before it locks any row, until the test lets go.
        await using var held = await HoldAsync(account.Id, "users", "BEFORE UPDATE ON users FOR EACH STATEMENT",
            $"current_setting('application_name') = '{upgrading}'");

        var signIn = viaUpgrader.PostAsJsonAsync("/api/v1/token", new { email = account.Email, password = account.Password });
        await Wait.UntilAsync(async () => await held.WaitingAsync() > 0, Bound, "the sign-in past its password check, holding its hash upgrade");
        var changing = account.Client.PostAsJsonAsync("/api/v1/password/change", new { currentPassword = account.Password, newPassword = NewPassword });
        await Wait.UntilAsync(async () => changing.IsCompleted || await LockWaitersAsync() > 1, Bound, "the change finished or waiting behind the sign-in");
        await held.ReleaseAsync();

        using var changed = await changing;
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        using var signedIn = await signIn;
        if (signedIn.StatusCode == HttpStatusCode.OK)
        {
            var tokens = (await signedIn.Content.ReadFromJsonAsync<TokenBody>())!;
            await (await viaUpgrader.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = tokens.Refresh })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        }
        using var anonymous = api.Anonymous();
        await (await anonymous.PostAsJsonAsync("/api/v1/token", new { email = account.Email, password = account.Password }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized);
        await api.SignInAsync(account.Email, NewPassword);
    }

    private async Task<string> ResetTokenAsync(HttpClient anonymous, string email)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);
        return ResetEmails.Token((await api.Mail.WaitForMessagesAsync(email, 1, TimeSpan.FromSeconds(30)))[^1]);
    }

    private Task<long> LockWaitersAsync() =>
        Rows.CountAsync(api.ConnectionString, "pg_stat_activity", "datname = current_database() AND wait_event_type = 'Lock'");

    /// <summary>
    /// A test-only trigger on <paramref name="table"/> (<paramref name="trigger"/>: when and for what it fires) that,
    /// where <paramref name="condition"/> holds, waits for an advisory lock the test holds until <see cref="Held.ReleaseAsync"/>.
    /// </summary>
    private async Task<Held> HoldAsync(long key, string table, string trigger, string condition = "true")
    {
        var name = $"test_hold_{table}_{key}";
        var holder = new NpgsqlConnection(api.ConnectionString);
        await holder.OpenAsync();
        await using (var create = new NpgsqlCommand(
            $"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF {condition} THEN PERFORM pg_advisory_xact_lock_shared({key}); END IF; RETURN NEW; END $$;
            CREATE TRIGGER {name} {trigger} EXECUTE FUNCTION {name}();
            SELECT pg_advisory_lock({key});
            """, holder))
        {
            await create.ExecuteNonQueryAsync();
        }
        return new Held(api.ConnectionString, holder, name, table, key);
    }

    private sealed class Held(string connectionString, NpgsqlConnection holder, string name, string table, long key) : IAsyncDisposable
    {
        private bool _released;

        /// <summary>Statements waiting in the trigger for the held lock.</summary>
        public Task<long> WaitingAsync() => Rows.CountAsync(connectionString, "pg_locks",
            $"locktype = 'advisory' AND NOT granted AND objid = {key} AND database = (SELECT oid FROM pg_database WHERE datname = current_database())");

        public async Task ReleaseAsync()
        {
            if (!_released)
            {
                _released = true;
                await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({key})", holder);
                await unlock.ExecuteNonQueryAsync();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await ReleaseAsync();
            await using (var drop = new NpgsqlCommand($"DROP TRIGGER {name} ON {table}; DROP FUNCTION {name}();", holder))
            {
                await drop.ExecuteNonQueryAsync();
            }
            await holder.DisposeAsync();
        }
    }
}
