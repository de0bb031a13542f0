namespace SmsGateway.Postgres;

/// <summary>
/// A migration could not be applied (its SQL failed, or an applied file was edited afterwards). Start-up must stop:
/// the schema is not what this build expects.
/// </summary>
public sealed class PostgresMigrationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PostgresMigrationException(string fileName, string message, Exception? innerException = null)
        : base(message, innerException) => FileName = fileName;

    /// <summary>The migration file, e.g. <c>0001_initial.sql</c>.</summary>
    public string FileName { get; }
}
