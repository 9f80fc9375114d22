using TrainingPlatform.Hosting;

namespace TrainingPlatform.AppHost;

/// <summary>
/// Where the API sends password reset emails: the connection string <c>smtp</c>. Locally a mail catcher takes every
/// message and shows it on its web page, linked from the dashboard: smtp4dev as an executable in local mode, its
/// pinned image in containers mode. Deployed, <c>smtp</c> is a secret parameter naming the real mail service.
/// </summary>
public static class Mail
{
    public const string ConnectionName = "smtp";

    /// <summary>
    /// The API's <c>smtp</c> connection string, sender and reset link: from parameters when deployed, else from the
    /// mail catcher and the API's <paramref name="publicApi"/> address.
    /// </summary>
    public static void AddMail(this IDistributedApplicationBuilder builder, StackSettings stack,
        IReadOnlyList<IResourceBuilder<ProjectResource>> replicas, EndpointReference publicApi)
    {
        if (stack.Mode == StackMode.Publish)
        {
            AddMailService(builder, replicas);
        }
        else
        {
            AddMailCatcher(builder, stack, replicas, publicApi);
        }
    }

    /// <summary>Deployed: the real mail service, named by the secret parameter <c>smtp</c>.</summary>
    private static void AddMailService(IDistributedApplicationBuilder builder, IReadOnlyList<IResourceBuilder<ProjectResource>> replicas)
    {
        var connection = builder.AddConnectionString(ConnectionName);
        var from = builder.AddParameter("email-from");
        var link = builder.AddParameter("password-reset-link");
        foreach (var api in replicas)
        {
            api.WithReference(connection)
                .WithEnvironment("Email__From", from)
                .WithEnvironment("PasswordReset__LinkTemplate", link);
        }
    }

    /// <summary>Local and containers modes: the mail catcher, whose page shows what the API sent.</summary>
    private static void AddMailCatcher(IDistributedApplicationBuilder builder, StackSettings stack,
        IReadOnlyList<IResourceBuilder<ProjectResource>> replicas, EndpointReference publicApi)
    {
        var catcher = stack.Mode == StackMode.Local ? AddLocalCatcher(builder, stack) : AddContainerCatcher(builder, stack);
        catcher.WithHttpHealthCheck(LocalMailCatcher.ReadyPath)
            .WithUrlForEndpoint("http", url => url.DisplayText = "Caught emails");
        var smtp = catcher.GetEndpoint("smtp");
        // The catcher offers no STARTTLS and needs no login: plain SMTP, said explicitly (the API requires STARTTLS otherwise).
        var connection = builder.AddConnectionString(ConnectionName,
            ReferenceExpression.Create($"Endpoint=smtp://{smtp.Property(EndpointProperty.Host)}:{smtp.Property(EndpointProperty.Port)};Security=none"));
        foreach (var api in replicas)
        {
            // No web app of ours hosts a reset page yet: locally the link opens the API reference, where the token
            // from the link confirms the reset (POST /api/v1/password/reset/confirm).
            api.WithReference(connection)
                .WaitFor(catcher)
                .WithEnvironment("Email__From", "TrainingPlatform <no-reply@trainingplatform.localhost>")
                .WithEnvironment("PasswordReset__LinkTemplate", ReferenceExpression.Create($"{publicApi}/scalar/?token={{token}}"));
        }
    }

    private static IResourceBuilder<IResourceWithEndpoints> AddLocalCatcher(IDistributedApplicationBuilder builder, StackSettings stack)
    {
        var data = Path.Combine(stack.DataDirectory, "mail");
        Directory.CreateDirectory(data);
        var catcher = builder.AddLocalProgram("mail", new(LocalProgram.Smtp4dev.Path, LocalMailCatcher.Arguments(data)), data)
            .WithHttpEndpoint(port: stack.MailPort, name: "http")
            .WithEndpoint(name: "smtp", scheme: "tcp");
        return catcher.WithArgs(context =>
        {
            context.Args.Add(Flag(LocalMailCatcher.WebPortFlag, catcher.GetEndpoint("http")));
            context.Args.Add(Flag(LocalMailCatcher.SmtpPortFlag, catcher.GetEndpoint("smtp")));
        });
    }

    // In memory, IMAP and POP3 closed, as the local catcher; the image listens on 80 (web) and 25 (SMTP).
    private static IResourceBuilder<IResourceWithEndpoints> AddContainerCatcher(IDistributedApplicationBuilder builder, StackSettings stack) =>
        builder.AddContainer("mail", ContainerImages.MailCatcher)
            .WithEnvironment("ServerOptions__Database", "")
            .WithEnvironment("ServerOptions__ImapPort", "")
            .WithEnvironment("ServerOptions__Pop3Port", "")
            .WithHttpEndpoint(port: stack.MailPort, targetPort: 80, name: "http")
            .WithEndpoint(targetPort: 25, name: "smtp", scheme: "tcp");

    private static ReferenceExpression Flag(string flag, EndpointReference endpoint)
    {
        var expression = new ReferenceExpressionBuilder();
        expression.AppendLiteral(flag);
        expression.AppendValueProvider(endpoint.Property(EndpointProperty.TargetPort));
        return expression.Build();
    }
}
