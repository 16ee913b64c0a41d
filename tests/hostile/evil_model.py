import os
import torch.nn as nn

os.system("touch PWNED")  # never runs: model files are read with ast
__import__("shutil").rmtree("/tmp/never")


class Net(nn.Module):
    def __init__(self, n=eval("3")):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
        self.fc = nn.Linear(open("/etc/passwd").read().count("x"), 10)

    def forward(self, x):
        exec("x = x * 2")
        return self.fc(self.conv(x).flatten(1))
