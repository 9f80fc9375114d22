namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// The deployment manifest azd reads, generated with the exact command the README gives. Containers mode is what
/// deploys: Postgres as an image, Prometheus, blackbox and Grafana built from Dockerfiles with their configuration
/// baked in, and every secret a parameter.
/// </summary>
public partial class ManifestTests
{
    internal static readonly string OutputDirectory = Directory.CreateTempSubdirectory("tp-manifest-").FullName;
    /// <summary>Generated once per run, for every class that reads it.</summary>
    internal static readonly Lazy<Task<JsonElement>> Manifest = new(GenerateAsync);

    [Fact]
    public async Task Containers_mode_lists_the_api_postgres_prometheus_and_grafana()
    {
        var resources = (await Manifest.Value).GetProperty("resources");

        foreach (var name in new[] { "api", "postgres", "prometheus", "grafana", "blackbox", "training" })
        {
            Assert.True(resources.TryGetProperty(name, out _), $"manifest lacks '{name}'");
        }
        Assert.EndsWith("/ops/postgres/Dockerfile", resources.GetProperty("postgres").GetProperty("build").GetProperty("dockerfile").GetString());
    }

    [Fact]
    public async Task The_api_is_a_project_with_the_database_reference()
    {
        var api = (await Manifest.Value).GetProperty("resources").GetProperty("api");

        Assert.Equal("project.v0", api.GetProperty("type").GetString());
        Assert.Equal("{training.connectionString}", api.GetProperty("env").GetProperty("ConnectionStrings__training").GetString());
        Assert.Equal("{metrics-enabled.value}", api.GetProperty("env").GetProperty("METRICS_ENABLED").GetString());
    }

    [Theory]
    [InlineData("prometheus", "Dockerfile")]
    [InlineData("blackbox", "blackbox.Dockerfile")]
    [InlineData("grafana", "Dockerfile")]
    [InlineData("alertmanager", "Dockerfile")]
    public async Task Monitoring_is_built_from_its_dockerfile_without_bind_mounts(string name, string dockerfile)
    {
        var resource = (await Manifest.Value).GetProperty("resources").GetProperty(name);

        Assert.EndsWith("/" + dockerfile, resource.GetProperty("build").GetProperty("dockerfile").GetString());
        Assert.False(resource.TryGetProperty("bindMounts", out _), $"{name} has bind mounts, which do not deploy");
        Assert.False(resource.TryGetProperty("image", out _));
    }

    [Fact]
    public async Task The_prometheus_image_scrapes_the_api_on_its_deployed_metrics_port_and_probes_it_by_name()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var metricsPort = resources.GetProperty("api").GetProperty("bindings").GetProperty("metrics").GetProperty("targetPort").GetInt32();
        var context = PrometheusImageContext(resources);

        var target = Assert.Single((await TargetsAsync(context, "services.json")).EnumerateArray());
        Assert.Equal($"api:{metricsPort}", Assert.Single(target.GetProperty("targets").EnumerateArray()).GetString());
        Assert.Equal("http://api/healthz", Assert.Single((await TargetsAsync(context, "probes.json")).EnumerateArray()).GetProperty("labels").GetProperty("__param_target").GetString());
        Assert.True(File.Exists(Path.Combine(context, "prometheus.yml")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(context, "rules"), "*.yml"));
    }

    [Fact]
    public async Task The_prometheus_image_scrapes_alertmanager_as_its_own_job_where_it_sends_alerts()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var context = PrometheusImageContext(resources);
        var port = resources.GetProperty("alertmanager").GetProperty("bindings").GetProperty("http").GetProperty("targetPort").GetInt32();

        using var alertmanagers = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(context, "targets", "alertmanagers.json")));
        var target = Assert.Single(alertmanagers.RootElement.EnumerateArray());
        Assert.Equal($"alertmanager:{port}", Assert.Single(target.GetProperty("targets").EnumerateArray()).GetString());
        var config = new YamlDotNet.RepresentationModel.YamlStream();
        config.Load(new StringReader(await File.ReadAllTextAsync(Path.Combine(context, "prometheus.yml"))));
        var jobs = ((YamlDotNet.RepresentationModel.YamlMappingNode)config.Documents[0].RootNode)["scrape_configs"].AllNodes
            .OfType<YamlDotNet.RepresentationModel.YamlMappingNode>()
            .Where(node => node.Children.ContainsKey("job_name"))
            .ToDictionary(node => node["job_name"].ToString(), node => node.ToString());
        Assert.True(jobs.TryGetValue("alertmanager", out var job), "prometheus.yml has no job alertmanager");
        Assert.Contains("targets/alertmanagers.json", job);
    }

    [Fact]
    public async Task Every_secret_is_a_secret_parameter_and_no_literal()
    {
        var resources = (await Manifest.Value).GetProperty("resources");

        foreach (var name in new[] { "postgres-password", "jwt-signing-key", "jwt-previous-signing-key", "sentry-dsn", "smtp", "alertmanager-page-url", "alertmanager-ticket-url", "alertmanager-watchdog-url", "grafana-admin-password", "pitr-cipher-pass" })
        {
            var parameter = resources.GetProperty(name);
            Assert.Equal("parameter.v0", parameter.GetProperty("type").GetString());
            Assert.True(parameter.GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean(), $"{name} is not secret");
        }
        var env = resources.GetProperty("api").GetProperty("env");
        Assert.Equal("{jwt-signing-key.value}", env.GetProperty("Jwt__SigningKey").GetString());
        Assert.Equal("{jwt-previous-signing-key.value}", env.GetProperty("Jwt__PreviousSigningKey").GetString());
        // Empty between rotations, so azd does not ask for it.
        Assert.Equal("", resources.GetProperty("jwt-previous-signing-key").GetProperty("inputs").GetProperty("value")
            .GetProperty("default").GetProperty("value").GetString());
        Assert.Equal("{sentry-dsn.value}", env.GetProperty("SENTRY_DSN").GetString());
        Assert.Equal("{smtp.connectionString}", env.GetProperty("ConnectionStrings__smtp").GetString());
        var alertmanager = resources.GetProperty("alertmanager").GetProperty("env");
        foreach (var receiver in new[] { "page", "ticket", "watchdog" })
        {
            Assert.Equal($"{{alertmanager-{receiver}-url.value}}", alertmanager.GetProperty($"ALERTMANAGER_{receiver.ToUpperInvariant()}_URL").GetString());
        }
        Assert.DoesNotContain("Password=", resources.GetProperty("postgres").GetProperty("connectionString").GetString()!.Replace("Password={postgres-password.value}", ""));
        // Never the image's admin/admin.
        Assert.Equal("{grafana-admin-password.value}", resources.GetProperty("grafana").GetProperty("env").GetProperty("GF_SECURITY_ADMIN_PASSWORD").GetString());
    }

    [Fact]
    public async Task Metrics_are_on_by_default_when_deployed_on_an_internal_port_of_their_own()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var parameter = resources.GetProperty("metrics-enabled");
        var bindings = resources.GetProperty("api").GetProperty("bindings");

        Assert.Equal("true", parameter.GetProperty("inputs").GetProperty("value").GetProperty("default").GetProperty("value").GetString());
        var metrics = bindings.GetProperty("metrics");
        Assert.False(metrics.TryGetProperty("external", out var external) && external.GetBoolean(), "the metrics port must not face the public");
    }

    [Fact]
    public async Task Prometheus_keeps_35_days_on_a_named_volume_without_the_lifecycle_api()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var prometheus = resources.GetProperty("prometheus");
        var args = prometheus.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToList();

        var retention = Assert.Single(args, a => a.StartsWith("--storage.tsdb.retention.time=", StringComparison.Ordinal));
        var days = Days(retention.Split('=')[1]);
        Assert.True(days >= 35, $"{retention}: the 30-day SLO window needs at least 35 days");
        Assert.Contains($"kept {days} days", await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md")));
        var path = Assert.Single(args, a => a.StartsWith("--storage.tsdb.path=", StringComparison.Ordinal)).Split('=')[1];
        AssertNamedVolumeAt(prometheus, path);
        foreach (var resource in resources.EnumerateObject().Where(r => r.Value.TryGetProperty("args", out _)))
        {
            Assert.DoesNotContain("--web.enable-lifecycle", resource.Value.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
        }
    }

    [Fact]
    public async Task Alertmanager_keeps_its_silences_on_a_named_volume_and_refuses_to_start_without_a_page_url()
    {
        var alertmanager = (await Manifest.Value).GetProperty("resources").GetProperty("alertmanager");
        var dockerfile = await File.ReadAllTextAsync(Path.GetFullPath(alertmanager.GetProperty("build").GetProperty("dockerfile").GetString()!, OutputDirectory));

        var storage = Regex.Match(dockerfile, @"--storage\.path=(?<path>[^""\s]+)");
        Assert.True(storage.Success, "the Alertmanager image sets no --storage.path");
        AssertNamedVolumeAt(alertmanager, storage.Groups["path"].Value);
        Assert.Equal("true", alertmanager.GetProperty("env").GetProperty("ALERTMANAGER_PAGE_URL_REQUIRED").GetString());
    }

    [Fact]
    public async Task Every_image_is_pinned_to_a_version()
    {
        var resources = (await Manifest.Value).GetProperty("resources");

        foreach (var resource in resources.EnumerateObject())
        {
            if (resource.Value.TryGetProperty("image", out var image))
            {
                Assert.Matches(PinnedImage(), image.GetString()!);
            }
            if (resource.Value.TryGetProperty("build", out var build) && build.TryGetProperty("dockerfile", out var dockerfile))
            {
                var from = Regex.Matches(await File.ReadAllTextAsync(Path.GetFullPath(dockerfile.GetString()!, OutputDirectory)), @"^FROM\s+(\S+)", RegexOptions.Multiline);
                Assert.NotEmpty(from);
                // A tag passed as a build argument (the backups image's POSTGRES_TAG) is what the manifest gives it.
                var args = build.TryGetProperty("args", out var given)
                    ? given.EnumerateObject().ToDictionary(arg => arg.Name, arg => arg.Value.GetString()!)
                    : [];
                Assert.All(from, line => Assert.Matches(PinnedImage(),
                    Regex.Replace(line.Groups[1].Value, @"\$\{(\w+)\}", argument => args.GetValueOrDefault(argument.Groups[1].Value, argument.Value))));
            }
        }
    }

    [Fact]
    public async Task Deployed_replicas_share_limits_trust_the_ingress_budget_connections_and_label_their_series()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var env = resources.GetProperty("api").GetProperty("env");

        Assert.Equal("{cache.connectionString}", env.GetProperty("ConnectionStrings__cache").GetString());
        Assert.Equal("{trusted-proxy-networks.value}", env.GetProperty("ForwardedHeaders__KnownNetworks__0").GetString());
        Assert.Equal("{api-pool-size.value}", env.GetProperty("Database__MaxPoolSize").GetString());
        Assert.Equal("true", env.GetProperty("Metrics__InstanceLabel").GetString());
        Assert.StartsWith("docker.io/valkey/valkey:", resources.GetProperty("cache").GetProperty("image").GetString());
        // The output cache apart from the limits, each bounded: the limits' store never evicts, the pages' store does.
        Assert.Equal("{output-cache.connectionString}", env.GetProperty("ConnectionStrings__output-cache").GetString());
        Assert.EndsWith(" --maxmemory 64mb --maxmemory-policy noeviction", resources.GetProperty("cache").GetProperty("args").EnumerateArray().Last().GetString());
        Assert.EndsWith(" --maxmemory 32mb --maxmemory-policy allkeys-lru", resources.GetProperty("output-cache").GetProperty("args").EnumerateArray().Last().GetString());
        Assert.False(resources.TryGetProperty("ingress", out _), "deployed, the Container Apps ingress stands in front");
    }

    [Fact]
    public async Task Only_the_apis_public_port_and_grafana_face_the_internet()
    {
        var external = (await Manifest.Value).GetProperty("resources").EnumerateObject()
            .Where(r => r.Value.TryGetProperty("bindings", out _))
            .SelectMany(r => r.Value.GetProperty("bindings").EnumerateObject()
                .Where(b => b.Value.TryGetProperty("external", out var e) && e.GetBoolean())
                .Select(b => $"{r.Name}/{b.Name}"))
            .Order();

        // The metrics port, Prometheus and Alertmanager have no login: they stay inside the environment.
        Assert.Equal(["api/http", "grafana/http"], external);
    }

    [Fact]
    public async Task The_readme_lists_exactly_the_deployed_resources()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md"));
        var section = Regex.Match(readme, "<!-- manifest-resources -->(.*?)<!-- /manifest-resources -->", RegexOptions.Singleline);
        Assert.True(section.Success, "README.md has no <!-- manifest-resources --> section");
        var listed = Regex.Matches(section.Groups[1].Value, @"^\| `([a-z0-9-]+)`", RegexOptions.Multiline).Select(m => m.Groups[1].Value).Order();

        var generated = (await Manifest.Value).GetProperty("resources").EnumerateObject().Select(r => r.Name)
            // Aspire's own derived values (URI-encoded secrets, the cache's TLS switch) are no resource a user configures.
            .Where(n => !n.EndsWith("-uri-encoded", StringComparison.Ordinal) && !n.StartsWith("cond-", StringComparison.Ordinal)).Order();

        Assert.Equal(generated, listed);
    }

    [Fact]
    public async Task Deployed_reset_emails_go_through_the_given_smtp_server_and_no_mail_catcher()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var env = resources.GetProperty("api").GetProperty("env");

        Assert.False(resources.TryGetProperty("mail", out _), "the mail catcher must not deploy");
        Assert.Equal("{smtp.value}", resources.GetProperty("smtp").GetProperty("connectionString").GetString());
        Assert.Equal("{email-from.value}", env.GetProperty("Email__From").GetString());
        Assert.Equal("{password-reset-link.value}", env.GetProperty("PasswordReset__LinkTemplate").GetString());
        foreach (var name in new[] { "email-from", "password-reset-link" })
        {
            Assert.False(resources.GetProperty(name).GetProperty("inputs").GetProperty("value").TryGetProperty("default", out _),
                $"{name} must be asked for, not defaulted");
        }
    }

    private static void AssertNamedVolumeAt(JsonElement resource, string target)
    {
        Assert.True(resource.TryGetProperty("volumes", out var volumes), "no volume: every deploy would start empty");
        var volume = Assert.Single(volumes.EnumerateArray(), v => v.GetProperty("target").GetString() == target);
        Assert.False(string.IsNullOrEmpty(volume.GetProperty("name").GetString()), $"the volume at {target} has no name");
        Assert.False(volume.GetProperty("readOnly").GetBoolean());
    }

    /// <summary>A Prometheus duration of whole days, weeks or years (<c>35d</c>, <c>6w</c>, <c>1y</c>) in days.</summary>
    internal static int Days(string duration)
    {
        var match = Regex.Match(duration, "^(?<n>[0-9]+)(?<unit>[dwy])$");
        Assert.True(match.Success, $"retention '{duration}' is not in days, weeks or years");
        return int.Parse(match.Groups["n"].Value, System.Globalization.CultureInfo.InvariantCulture)
            * match.Groups["unit"].Value switch { "d" => 1, "w" => 7, _ => 365 };
    }

    /// <summary>An image with an explicit version tag (a digit in it), never <c>latest</c> or none.</summary>
    [GeneratedRegex(@"^[^:\s]+(/[^:\s]+)*:(?!latest$)[^:\s]*[0-9][^:\s]*$")]
    private static partial Regex PinnedImage();

    [Fact]
    public async Task Backups_deploy_as_the_image_built_on_the_deployed_postgres_with_the_database_and_their_parameters()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var backups = resources.GetProperty("backups");
        var build = backups.GetProperty("build");
        var env = backups.GetProperty("env");

        Assert.Equal("container.v1", backups.GetProperty("type").GetString());
        Assert.EndsWith("/ops/backups/Dockerfile", build.GetProperty("dockerfile").GetString());
        // pg_dump comes from the image the server runs: the one tag, passed to both Dockerfiles, which write none.
        var postgresTag = resources.GetProperty("postgres").GetProperty("build").GetProperty("args").GetProperty("POSTGRES_TAG").GetString();
        Assert.Equal(postgresTag, build.GetProperty("args").GetProperty("POSTGRES_TAG").GetString());
        var dockerfile = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "ops", "backups", "Dockerfile"));
        Assert.Contains("FROM postgres:${POSTGRES_TAG}", dockerfile);
        Assert.DoesNotMatch(@"(?m)^FROM postgres:\d", dockerfile);
        Assert.False(backups.TryGetProperty("bindMounts", out _), "backups has bind mounts, which do not deploy");
        // Its dumps' volume; the PITR repository's beside it is PostgresManifestTests'.
        Assert.Equal("trainingplatform-backups", Assert.Single(backups.GetProperty("volumes").EnumerateArray(),
            v => v.GetProperty("target").GetString() == "/var/lib/backups").GetProperty("name").GetString());

        Assert.Equal("{training.connectionString}", env.GetProperty("ConnectionStrings__training").GetString());
        Assert.Equal("{backup-schedule.value}", env.GetProperty("Backup__Schedule").GetString());
        Assert.Equal("0 2 * * *", resources.GetProperty("backup-schedule").GetProperty("inputs").GetProperty("value").GetProperty("default").GetProperty("value").GetString());
        foreach (var (variable, parameter, secret) in new[]
        {
            ("BACKUP_ENCRYPTION_KEY", "backup-encryption-key", true),
            ("AWS_ACCESS_KEY_ID", "backup-s3-access-key-id", true),
            ("AWS_SECRET_ACCESS_KEY", "backup-s3-secret-access-key", true),
            ("BACKUP_S3_URI", "backup-s3-uri", false),
            ("BACKUP_S3_ENDPOINT_URL", "backup-s3-endpoint-url", false),
        })
        {
            Assert.Equal($"{{{parameter}.value}}", env.GetProperty(variable).GetString());
            var input = resources.GetProperty(parameter).GetProperty("inputs").GetProperty("value");
            Assert.True(secret == (input.TryGetProperty("secret", out var isSecret) && isSecret.GetBoolean()), $"{parameter} secret: expected {secret}");
        }
        Assert.Equal("true", env.GetProperty("METRICS_ENABLED").GetString());
        foreach (var binding in backups.GetProperty("bindings").EnumerateObject())
        {
            Assert.False(binding.Value.TryGetProperty("external", out var external) && external.GetBoolean(), $"backups binding {binding.Name} is public");
        }
    }

    [Fact]
    public async Task The_docs_state_the_backup_schedule_the_deployment_defaults_to()
    {
        var schedule = (await Manifest.Value).GetProperty("resources").GetProperty("backup-schedule")
            .GetProperty("inputs").GetProperty("value").GetProperty("default").GetProperty("value").GetString();

        // The RPO is derived from this schedule in backup-restore.md; the README's resource table names it too.
        Assert.Contains($"The default schedule is `{schedule}`.", await File.ReadAllTextAsync(RepositoryRoot.Ops("docs", "backup-restore.md")));
        Assert.Matches($@"\| `backup-schedule` \|[^\n]*\(default `{Regex.Escape(schedule!)}`",
            await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "README.md")));
    }

    [Fact]
    public async Task The_prometheus_image_scrapes_the_backups_service_on_its_metrics_port()
    {
        var resources = (await Manifest.Value).GetProperty("resources");
        var metricsPort = resources.GetProperty("backups").GetProperty("bindings").GetProperty("metrics").GetProperty("targetPort").GetInt32();
        var target = Assert.Single((await TargetsAsync(PrometheusImageContext(resources), "backups.json")).EnumerateArray());
        Assert.Equal($"backups:{metricsPort}", Assert.Single(target.GetProperty("targets").EnumerateArray()).GetString());
        Assert.Equal("backups", target.GetProperty("labels").GetProperty("service").GetString());
    }

    /// <summary>The Prometheus image's build context: the configuration rendered for the deployment.</summary>
    private static string PrometheusImageContext(JsonElement resources) =>
        Path.GetFullPath(resources.GetProperty("prometheus").GetProperty("build").GetProperty("context").GetString()!, OutputDirectory);

    private static async Task<JsonElement> TargetsAsync(string context, string file)
    {
        using var targets = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(context, "targets", file)));
        return targets.RootElement.Clone();
    }

    private static async Task<JsonElement> GenerateAsync()
    {
        var output = Path.Combine(OutputDirectory, "aspire-manifest.json");
        var result = await Command.RunAsync("dotnet",
            ["run", "--project", "TrainingPlatform.AppHost", "--no-build", "-c", RepositoryRoot.Configuration,
             "--", "--publisher", "manifest", "--output-path", output]);
        Assert.True(result.ExitCode == 0, $"manifest generation failed: {result}");
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        return json.RootElement.Clone();
    }
}
