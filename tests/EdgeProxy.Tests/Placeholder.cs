namespace EdgeProxy.Tests;
