using System.Runtime.Versioning;
using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using TrainingPlatform.Api.Sessions;

namespace TrainingPlatform.Tests.Api;

/// <summary>
/// The development signing key as a fresh checkout gets it: generated into an empty folder (not whatever an earlier
/// run left in <c>.stack/</c>), readable by its owner only, signing the tokens, and kept across a restart.
/// </summary>
public class DevelopmentSigningKeyTests
{
    // The owner-only mode is a Unix promise; the suite runs on Linux.
    [Fact]
    [SupportedOSPlatform("linux")]
    public async Task Development_without_a_signing_key_generates_one_in_a_fresh_folder_signs_with_it_and_keeps_it_across_a_restart()
    {
        using var folder = new TempFolder("tp-jwt-key-");
        // A folder that does not exist yet, as .stack/ in a fresh clone.
        var file = Path.Combine(folder.FullName, ".stack", "jwt-signing-key");
        var settings = new Dictionary<string, string?>(ApiFixture.Settings)
        {
            [JwtSigningKey.ConfigurationKey] = "",
            [JwtSigningKey.DevelopmentKeyFileKey] = file,
        };
        var postgres = await PostgresServer.SharedAsync();
        var database = await postgres.CreateDatabaseAsync();

        string key;
        string email;
        TokenBody tokens;
        await using (var first = await ApiServer.StartAsync(settings, environment: "Development", postgres: postgres, connectionString: database))
        {
            Assert.True(File.Exists(file), $"no key generated at {file}");
            key = await File.ReadAllTextAsync(file);
            Assert.Equal(JwtSigningKey.DevelopmentKeyBytes, Convert.FromBase64String(key).Length);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));

            var account = await TestAccounts.NewAsync(first.CreateHttpClient);
            using (account.Client)
            {
                (email, tokens) = (account.Email, account.Tokens);
                AssertSignedWith(key, tokens.Access);
                Assert.Equal(HttpStatusCode.OK, (await account.Client.GetAsync("/api/v1/auth/me")).StatusCode);
            }
        }

        await using var second = await ApiServer.StartAsync(settings, environment: "Development", postgres: postgres, connectionString: database);
        Assert.Equal(key, await File.ReadAllTextAsync(file));
        using var client = second.CreateHttpClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Access);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/auth/me")).StatusCode);
        // The restarted API signs new tokens with the same key.
        using var anonymous = second.CreateHttpClient();
        var again = await TestAccounts.SignInAsync(anonymous, email);
        AssertSignedWith(key, again.Access);
    }

    [Fact]
    public async Task Instances_starting_at_the_same_moment_share_one_whole_key()
    {
        using var folder = new TempFolder("tp-jwt-race-");
        var file = Path.Combine(folder.FullName, ".stack", "jwt-signing-key");
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [JwtSigningKey.DevelopmentKeyFileKey] = file }).Build();
        var environment = new HostingEnvironment { EnvironmentName = Environments.Development, ContentRootPath = folder.FullName };
        using var start = new Barrier(8);

        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return Convert.ToBase64String(JwtSigningKey.Resolve(configuration, environment));
        }, TaskCreationOptions.LongRunning)));

        Assert.Single(keys.Distinct());
        Assert.Equal(JwtSigningKey.DevelopmentKeyBytes, Convert.FromBase64String(Encoding.UTF8.GetString(Convert.FromBase64String(keys[0]))).Length);
        Assert.Equal([file], Directory.GetFiles(Path.GetDirectoryName(file)!));
    }

    // HS256 over "header.payload" with the file's text as the key (the API uses the text's UTF-8 bytes, as configured keys).
    private static void AssertSignedWith(string key, string token)
    {
        var parts = token.Split('.');
        Assert.Equal(3, parts.Length);
        using var header = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[0]));
        Assert.Equal("HS256", header.RootElement.GetProperty("alg").GetString());
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key.Trim()), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        Assert.Equal(Base64UrlEncoder.Encode(signature), parts[2]);
    }
}
