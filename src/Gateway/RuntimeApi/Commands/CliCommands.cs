namespace Gateway.RuntimeApi.Commands;

/// <summary>
/// The commands about the session itself: <c>help</c>, <c>prompt</c>, <c>quit</c> (which help always appends rather than
/// lists), and the levels: <c>operator</c> and <c>user</c> lower the session's level, which nothing raises again.
/// </summary>
internal sealed class CliCommands : ICliCommandFamily
{
    public IEnumerable<CliCommand> Commands =>
    [
        new("help", null, CliLevel.User, Help),
        new("prompt", null, CliLevel.User, Prompt),
        new("quit", null, CliLevel.User, Quit),
        new("operator", "operator                                : lower the level of the current CLI session to operator", CliLevel.User, Operator),
        new("user", "user                                    : lower the level of the current CLI session to user", CliLevel.User, User),
        new("show cli level", "show cli level                          : display the level of the current CLI session", CliLevel.User, ShowLevel),
    ];

    private static ValueTask Help(CliContext context, CliArgs args)
    {
        context.Reply(CliUsage.Build(context.Table.All, args));
        return ValueTask.CompletedTask;
    }

    private static ValueTask Prompt(CliContext context, CliArgs args)
    {
        context.Interactive = !context.Interactive;
        return ValueTask.CompletedTask;
    }

    private static ValueTask Quit(CliContext context, CliArgs args)
    {
        context.Quit = true;
        return ValueTask.CompletedTask;
    }

    private static ValueTask Operator(CliContext context, CliArgs args)
    {
        if (context.Level < CliLevel.Operator)
        {
            context.Reply(Replies.PermissionDenied);
        }
        else
        {
            context.Level = CliLevel.Operator;
        }

        return ValueTask.CompletedTask;
    }

    private static ValueTask User(CliContext context, CliArgs args)
    {
        context.Level = CliLevel.User;
        return ValueTask.CompletedTask;
    }

    private static ValueTask ShowLevel(CliContext context, CliArgs args)
    {
        context.Reply(Replies.Level(context.Level));
        return ValueTask.CompletedTask;
    }
}
