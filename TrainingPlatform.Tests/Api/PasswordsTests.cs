namespace TrainingPlatform.Tests.Api;

public class PasswordsTests(MailingApiFixture api) : IClassFixture<MailingApiFixture>
{
    private static readonly TimeSpan MailWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Changing_the_password_signs_out_other_sessions_and_returns_a_new_one()
    {
        var account = await api.NewAccountAsync();
        var otherSession = await api.SignInAsync(account.Email, account.Password);

        var response = await account.Client.PostAsJsonAsync("/api/v1/password/change/",
            new { currentPassword = account.Password, newPassword = "a brand new passphrase" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var fresh = (await response.Content.ReadFromJsonAsync<TokenBody>())!;
        using var client = api.Anonymous();
        await (await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = otherSession.Refresh })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = fresh.Refresh })).StatusCode);
        await (await client.PostAsJsonAsync("/api/v1/token", new { email = account.Email, password = account.Password })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        await api.SignInAsync(account.Email, "a brand new passphrase");
    }

    [Fact]
    public async Task A_wrong_current_password_or_a_weak_new_one_is_a_400()
    {
        var account = await api.NewAccountAsync();

        var wrongCurrent = await account.Client.PostAsJsonAsync("/api/v1/password/change",
            new { currentPassword = "not my password", newPassword = "a brand new passphrase" });
        Assert.Equal(["currentPassword"], await wrongCurrent.AssertFieldErrorsAsync());

        var weak = await account.Client.PostAsJsonAsync("/api/v1/password/change",
            new { currentPassword = account.Password, newPassword = "password123" });
        Assert.Equal(["newPassword"], await weak.AssertFieldErrorsAsync());

        await api.SignInAsync(account.Email, account.Password);
    }

    [Fact]
    public async Task Changing_a_password_needs_a_signed_in_user()
    {
        using var client = api.Anonymous();
        var response = await client.PostAsJsonAsync("/api/v1/password/change", new { currentPassword = "x", newPassword = "a brand new passphrase" });
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_password_reset_works_end_to_end_once_through_a_real_email()
    {
        var account = await api.NewAccountAsync();
        using var client = api.Anonymous();

        var request = await client.PostAsJsonAsync("/api/v1/password/reset/", new { email = account.Email.ToUpperInvariant() });
        Assert.Equal(HttpStatusCode.Accepted, request.StatusCode);
        var email = Assert.Single(await api.Mail.WaitForMessagesAsync(account.Email, 1, MailWait));
        var token = ResetEmails.Token(email);
        Assert.Contains("no-reply@example.test", email.From);

        var confirm = await client.PostAsJsonAsync("/api/v1/password/reset/confirm/", new { token, newPassword = "the reset passphrase" });
        Assert.Equal(HttpStatusCode.NoContent, confirm.StatusCode);

        await api.SignInAsync(account.Email, "the reset passphrase");
        await (await client.PostAsJsonAsync("/api/v1/token", new { email = account.Email, password = account.Password })).AssertProblemAsync(HttpStatusCode.Unauthorized);
        // The reset signs out the sessions that existed before it.
        await (await client.PostAsJsonAsync("/api/v1/token/refresh", new { refresh = account.Tokens.Refresh })).AssertProblemAsync(HttpStatusCode.Unauthorized);

        var again = await client.PostAsJsonAsync("/api/v1/password/reset/confirm", new { token, newPassword = "yet another passphrase" });
        Assert.Equal(["token"], await again.AssertFieldErrorsAsync());
    }

    [Fact]
    public async Task A_new_reset_request_keeps_earlier_links_working_up_to_the_newest_three()
    {
        var account = await api.NewAccountAsync();
        using var client = api.Anonymous();
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsJsonAsync("/api/v1/password/reset", new { email = account.Email })).StatusCode);
        }
        var sent = (await api.Mail.WaitForMessagesAsync(account.Email, 4, MailWait)).Select(ResetEmails.Token).ToList();
        Assert.Equal(4, sent.Count);

        // Beyond the cap the oldest link is cancelled; the second one still works although two came after it.
        var oldest = await client.PostAsJsonAsync("/api/v1/password/reset/confirm", new { token = sent[0], newPassword = "the reset passphrase" });
        Assert.Equal(["token"], await oldest.AssertFieldErrorsAsync());
        var earlier = await client.PostAsJsonAsync("/api/v1/password/reset/confirm", new { token = sent[1], newPassword = "the reset passphrase" });
        Assert.Equal(HttpStatusCode.NoContent, earlier.StatusCode);

        // Once one link has set a password, the others are cancelled.
        var later = await client.PostAsJsonAsync("/api/v1/password/reset/confirm", new { token = sent[3], newPassword = "another reset passphrase" });
        Assert.Equal(["token"], await later.AssertFieldErrorsAsync());
        await api.SignInAsync(account.Email, "the reset passphrase");
    }

    [Fact]
    public async Task Changing_the_password_cancels_outstanding_reset_links()
    {
        var account = await api.NewAccountAsync();
        using var client = api.Anonymous();
        await client.PostAsJsonAsync("/api/v1/password/reset", new { email = account.Email });
        var link = ResetEmails.Token(Assert.Single(await api.Mail.WaitForMessagesAsync(account.Email, 1, MailWait)));
        var changed = await account.Client.PostAsJsonAsync("/api/v1/password/change",
            new { currentPassword = account.Password, newPassword = "a brand new passphrase" });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);

        var confirm = await client.PostAsJsonAsync("/api/v1/password/reset/confirm", new { token = link, newPassword = "the reset passphrase" });
        Assert.Equal(["token"], await confirm.AssertFieldErrorsAsync());
    }

    [Fact]
    public async Task A_reset_for_an_unknown_email_is_accepted_the_same_and_sends_nothing()
    {
        using var client = api.Anonymous();
        var ghost = $"ghost-{Guid.NewGuid():N}@example.test";
        var before = await api.CountAsync("password_reset_tokens");

        var response = await client.PostAsJsonAsync("/api/v1/password/reset", new { email = ghost });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        // Requests are handled in order: once a later reset's email has arrived, the ghost's request is done with.
        var account = await api.NewAccountAsync();
        await client.PostAsJsonAsync("/api/v1/password/reset", new { email = account.Email });
        await api.Mail.WaitForMessagesAsync(account.Email, 1, MailWait);
        Assert.Empty(await api.Mail.MessagesToAsync(ghost));
        Assert.Equal(before + 1, await api.CountAsync("password_reset_tokens"));
    }

    [Fact]
    public async Task Bad_reset_requests_are_400s()
    {
        using var client = api.Anonymous();
        Assert.Equal(["email"], await (await client.PostAsJsonAsync("/api/v1/password/reset", new { email = "nope" })).AssertFieldErrorsAsync());
        Assert.Equal(["newPassword", "token"],
            await (await client.PostAsJsonAsync("/api/v1/password/reset/confirm", new { })).AssertFieldErrorsAsync());
        Assert.Equal(["token"], await (await client.PostAsJsonAsync("/api/v1/password/reset/confirm",
            new { token = "made-up", newPassword = "the reset passphrase" })).AssertFieldErrorsAsync());
    }
}
