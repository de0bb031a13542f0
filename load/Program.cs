using System.CommandLine;
using SmsGateway.Load.Generation;

var root = new RootCommand("SMS gateway traffic generator, replay checker and load runner")
{
    GenerateCommand.Create(),
    SmsGateway.Load.Replay.ReplayCommand.Create(),
    SmsGateway.Load.Runner.RunCommand.CreateRun(),
    SmsGateway.Load.Runner.RunCommand.CreateSmoke(),
    SmsGateway.Load.Reporting.SummaryCommand.Create(),
    SmsGateway.Load.SelfTest.SelfTestCommand.Create(),
    SmsGateway.Load.SelfTest.FakeGatewayCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
