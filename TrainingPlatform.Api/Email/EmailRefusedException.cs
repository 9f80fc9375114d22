namespace TrainingPlatform.Api.Email;

/// <summary>
/// The mail server refused the message for good (a 5xx answer: no such mailbox, sender refused), or the message was
/// not sent because the connection could not be secured as required, so sending it again cannot help. A sender throws it for such a refusal and any other exception for a failure worth retrying; the
/// message is the server's own.
/// </summary>
public sealed class EmailRefusedException(Exception refusal) : Exception(refusal.Message, refusal);
