namespace TrainingPlatform.Tests.Api;

/// <summary>
/// Sign-ins with the old password that have checked it and not yet written their session when a password change or
/// a reset runs. A test-only trigger in this class's own database makes each insert of a session of the account wait
/// for an advisory lock the test holds; the replacement starts once every sign-in is seen waiting on a lock (the
/// overlap), and the lock is let go once the replacement has finished or waits too. Afterwards no session the race
/// started may live, and the old password signs in no more.
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
        await using var held = await HoldSessionInsertsAsync(account.Id);

        var signIns = Enumerable.Range(0, SignIns)
            .Select(_ => anonymous.PostAsJsonAsync("/api/v1/token", new { email = account.Email, password = account.Password })).ToList();
        await Wait.UntilAsync(async () => await held.InsertsWaitingAsync() > 0 && await LockWaitersAsync() == SignIns, Bound,
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

    private async Task<string> ResetTokenAsync(HttpClient anonymous, string email)
    {
        Assert.Equal(HttpStatusCode.Accepted, (await anonymous.PostAsJsonAsync("/api/v1/password/reset", new { email })).StatusCode);
        return ResetEmails.Token((await api.Mail.WaitForMessagesAsync(email, 1, TimeSpan.FromSeconds(30)))[^1]);
    }

    private Task<long> LockWaitersAsync() =>
        Rows.CountAsync(api.ConnectionString, "pg_stat_activity", "datname = current_database() AND wait_event_type = 'Lock'");

    /// <summary>Makes every insert of a session of <paramref name="userId"/> wait until <see cref="HeldInserts.ReleaseAsync"/>.</summary>
    private async Task<HeldInserts> HoldSessionInsertsAsync(long userId)
    {
        var name = $"test_hold_sessions_{userId}";
        var holder = new NpgsqlConnection(api.ConnectionString);
        await holder.OpenAsync();
        await using (var create = new NpgsqlCommand(
            $"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock_shared({userId}); RETURN NEW; END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON sessions
            FOR EACH ROW WHEN (NEW.user_id = {userId}) EXECUTE FUNCTION {name}();
            SELECT pg_advisory_lock({userId});
            """, holder))
        {
            await create.ExecuteNonQueryAsync();
        }
        return new HeldInserts(api.ConnectionString, holder, name, userId);
    }

    private sealed class HeldInserts(string connectionString, NpgsqlConnection holder, string name, long key) : IAsyncDisposable
    {
        private bool _released;

        /// <summary>Session inserts waiting for the held lock.</summary>
        public Task<long> InsertsWaitingAsync() => Rows.CountAsync(connectionString, "pg_locks",
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
            await using (var drop = new NpgsqlCommand($"DROP TRIGGER {name} ON sessions; DROP FUNCTION {name}();", holder))
            {
                await drop.ExecuteNonQueryAsync();
            }
            await holder.DisposeAsync();
        }
    }
}
