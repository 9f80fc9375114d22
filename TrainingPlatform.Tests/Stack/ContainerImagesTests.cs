extern alias AppHost;

using AppHost::TrainingPlatform.AppHost;

namespace TrainingPlatform.Tests.Stack;

/// <summary>
/// Every image and tag is written once, in the AppHost's ContainerImages. The Dockerfiles under ops/ start FROM the
/// same (or take the tag as a build argument the AppHost passes), and README.md and ops/docs name the same.
/// </summary>
public partial class ContainerImagesTests
{
    [Fact]
    public void Every_dockerfile_starts_from_an_image_of_the_table_at_its_tag()
    {
        var dockerfiles = Directory.EnumerateFiles(RepositoryRoot.Ops(), "*", SearchOption.AllDirectories)
            .Where(file => Path.GetFileName(file) is var name && (name == "Dockerfile" || name.EndsWith(".Dockerfile", StringComparison.Ordinal)))
            .ToList();
        Assert.NotEmpty(dockerfiles);

        foreach (var dockerfile in dockerfiles)
        {
            var text = File.ReadAllText(dockerfile);
            var froms = From().Matches(text);
            Assert.NotEmpty(froms);
            foreach (Match from in froms)
            {
                var (name, tag) = (from.Groups["name"].Value, from.Groups["tag"].Value);
                var image = ContainerImages.All.SingleOrDefault(i => i.Name == name);
                Assert.True(image is not null, $"{dockerfile}: {name} is not in ContainerImages");
                if (BuildArgument().Match(tag) is { Success: true } argument)
                {
                    // The AppHost passes it from the table (ManifestTests reads the manifest for it); a default here would be a second copy.
                    Assert.Matches($@"(?m)^ARG {argument.Groups[1].Value}\s*$", text);
                }
                else
                {
                    Assert.True(image.Tag == tag, $"{dockerfile}: FROM {name}:{tag}, ContainerImages says {image}");
                }
            }
        }
    }

    [Fact]
    public void Every_image_the_docs_and_dockerfiles_name_has_the_tables_tag()
    {
        var texts = Directory.EnumerateFiles(RepositoryRoot.Ops(), "*", SearchOption.AllDirectories)
            .Where(file => file.EndsWith(".md", StringComparison.Ordinal) || Path.GetFileName(file).Contains("Dockerfile", StringComparison.Ordinal))
            .Append(Path.Combine(RepositoryRoot.Path, "README.md"));
        var named = 0;
        foreach (var file in texts)
        {
            var text = File.ReadAllText(file);
            foreach (var image in ContainerImages.All)
            {
                foreach (Match mention in Regex.Matches(text, $@"(?<![\w./-]){Regex.Escape(image.Name)}:(?<tag>v?[0-9][\w.-]*[\w])"))
                {
                    named++;
                    Assert.True(image.Tag == mention.Groups["tag"].Value, $"{file} names {mention.Value}, ContainerImages says {image}");
                }
            }
            // The backups image's build argument, given by hand.
            foreach (Match argument in Regex.Matches(text, @"POSTGRES_TAG=(?<tag>[0-9][\w.-]*[\w])"))
            {
                Assert.True(ContainerImages.Postgres.Tag == argument.Groups["tag"].Value, $"{file} names {argument.Value}, ContainerImages says {ContainerImages.Postgres}");
            }
        }
        Assert.NotEqual(0, named);
    }

    [Fact]
    public void The_readme_names_every_image_containers_mode_runs()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "README.md"));

        Assert.All(ContainerImages.Run, image => Assert.Contains($"`{image}`", readme));
    }

    [Fact]
    public void The_local_mail_catcher_is_the_version_of_its_image()
    {
        // The same smtp4dev catches mail in local and containers modes: the .NET tool of ops/prerequisites.tsv and the image.
        Assert.EndsWith("@" + ContainerImages.MailCatcher.Tag, LocalProgram.Smtp4dev.Package);
    }

    [GeneratedRegex(@"^FROM\s+(?:--platform=\S+\s+)?(?<name>[^\s:]+):(?<tag>\S+)", RegexOptions.Multiline)]
    private static partial Regex From();

    [GeneratedRegex(@"^\$\{?(\w+)\}?$")]
    private static partial Regex BuildArgument();
}
